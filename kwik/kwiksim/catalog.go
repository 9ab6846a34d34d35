package kwiksim

import (
	"cmp"
	"slices"
	"strconv"
)

// Operator is one biller of the simulated catalog. The zero values of Inactive and BillerOff
// leave it enabled.
type Operator struct {
	ID      string
	Name    string
	Service string
	// Provider is the operator's short name in recharge and transaction replies, such as "VI".
	Provider string
	// Inactive lists the biller with status "0", and BillerOff lists it with biller_status "off".
	// Either way a recharge fails with "Operator is temporarily unavailable".
	Inactive          bool
	BillerOff         bool
	MinPaise          int64
	MaxPaise          int64
	BillFetch         bool
	SupportValidation string
	BBPS              bool
	Message           string
	Description       string
	// Params holds the labels of the parameters a payment needs; empty slots are sent as "".
	Params []string
	// CommissionBasisPoints is the merchant's margin: charged = amount × (10000 − bp) / 10000.
	CommissionBasisPoints int64
}

func (op Operator) live() bool { return !op.Inactive && !op.BillerOff }

// charged returns what KwikAPI debits the merchant for a recharge of amount paise.
func (op Operator) charged(amount int64) int64 {
	return amount * (10000 - op.CommissionBasisPoints) / 10000
}

// Circle is one telecom circle as circle_codes.php lists it.
type Circle struct {
	Code string
	// Name carries the short code in brackets, with the mixed casing KwikAPI uses.
	Name string
}

// Services of the simulated catalog.
const (
	ServicePrepaid     = "Prepaid"
	ServiceDTH         = "DTH"
	ServicePostpaid    = "Postpaid"
	ServiceElectricity = "Electricity"
	ServiceGas         = "Gas"
)

// Operator ids of the simulated catalog that tests and the demo rely on.
const (
	OpAirtel      = "1"
	OpIdea        = "3"
	OpJio         = "8"
	OpVi          = "21"
	OpAirtelDTH   = "23"
	OpBigTV       = "24"
	OpDishTV      = "25"
	OpSunDirect   = "26"
	OpTataPlay    = "27"
	OpVideoconD2H = "28"
	// OpMTNLDelhi is listed inactive and OpMTNLMumbai with its biller switched off.
	OpMTNLDelhi  = "5"
	OpMTNLMumbai = "6"
	// OpUGVCL is an electricity biller with a consumer number parameter.
	OpUGVCL = "53"
)

const (
	prepaidCommission = 380
	dthCommission     = 330
	billCommission    = 50
)

func rupees(r int64) int64 { return r * 100 }

func defaultOperators() []Operator {
	ops := []Operator{
		prepaid(OpAirtel, "Airtel", "AIRTEL"),
		prepaid("4", "BSNL TopUp", "BSNL"),
		prepaid(OpIdea, "Idea", "IDEA"),
		prepaid(OpJio, "Reliance Jio", "JIO"),
		prepaid(OpVi, "Vodafone (Vi)", "VI"),
		prepaid(OpMTNLDelhi, "MTNL Delhi", "MTNL"),
		prepaid(OpMTNLMumbai, "MTNL Mumbai", "MTNL"),
		dth(OpAirtelDTH, "Airtel DTH", "AIRTEL DTH", "Customer ID"),
		dth(OpBigTV, "Big TV", "BIG TV", "Smart Card Number"),
		dth(OpDishTV, "Dish TV", "DISH TV", "Registered Mobile Number or VC Number"),
		dth(OpSunDirect, "Sun Direct", "SUN DTH", "Smart Card Number"),
		dth(OpTataPlay, "Tata Sky (Tata Play)", "TATA PLAY", "Subscriber ID"),
		dth(OpVideoconD2H, "Videocon D2H", "VIDEOCON D2H", "Customer ID"),
		postpaid("30", "Airtel Postpaid", "AIRTEL POSTPAID"),
		postpaid("31", "Vi Postpaid", "VI POSTPAID"),
		postpaid("32", "Jio Postpaid", "JIO POSTPAID"),
		postpaid("33", "BSNL Postpaid", "BSNL POSTPAID"),
	}
	ops[5].Inactive = true
	ops[6].BillerOff = true

	for i, name := range electricityBoards {
		id := strconv.Itoa(53 + i)
		op := biller(id, name, ServiceElectricity, "Consumer Number")
		if id == OpUGVCL {
			op.Message = "pass Consumer Number in 'account'"
			op.SupportValidation = "OPTIONAL"
		}
		if i%11 == 7 {
			op.Inactive = true
		}
		ops = append(ops, op)
	}
	for i, name := range gasCompanies {
		ops = append(ops, biller(strconv.Itoa(90+i), name, ServiceGas, "Customer ID"))
	}

	slices.SortFunc(ops, func(a, b Operator) int { return cmp.Compare(idNumber(a.ID), idNumber(b.ID)) })
	return ops
}

func idNumber(id string) int {
	n, err := strconv.Atoi(id)
	if err != nil {
		return 1 << 30
	}
	return n
}

func prepaid(id, name, provider string) Operator {
	return Operator{
		ID: id, Name: name, Service: ServicePrepaid, Provider: provider,
		MinPaise: rupees(10), MaxPaise: rupees(10000),
		SupportValidation: "NOT_SUPPORTED", Params: []string{"", ""},
		CommissionBasisPoints: prepaidCommission,
	}
}

func dth(id, name, provider, param string) Operator {
	return Operator{
		ID: id, Name: name, Service: ServiceDTH, Provider: provider,
		MinPaise: rupees(100), MaxPaise: rupees(20000),
		SupportValidation: "NOT_SUPPORTED", Params: []string{param, ""},
		Description:           "Recharge with your " + param,
		CommissionBasisPoints: dthCommission,
	}
}

func postpaid(id, name, provider string) Operator {
	return Operator{
		ID: id, Name: name, Service: ServicePostpaid, Provider: provider,
		MinPaise: rupees(10), MaxPaise: rupees(50000), BillFetch: true, BBPS: true,
		SupportValidation: "MANDATORY", Params: []string{"Mobile Number", ""},
		CommissionBasisPoints: billCommission,
	}
}

func biller(id, name, service, param string) Operator {
	return Operator{
		ID: id, Name: name, Service: service, Provider: name,
		MinPaise: rupees(1), MaxPaise: rupees(49999), BillFetch: true, BBPS: true,
		SupportValidation: "MANDATORY", Params: []string{param, ""},
		CommissionBasisPoints: billCommission,
	}
}

var electricityBoards = []string{
	"Uttar Gujarat Vij Company Limited - UGVCL",
	"Madhya Gujarat Vij Company Limited - MGVCL",
	"Dakshin Gujarat Vij Company Limited - DGVCL",
	"Paschim Gujarat Vij Company Limited - PGVCL",
	"Bangalore Electricity Supply Company - BESCOM",
	"Maharashtra State Electricity Distribution - MSEDCL",
	"Tata Power Delhi Distribution Limited",
	"BSES Rajdhani Power Limited",
	"BSES Yamuna Power Limited",
	"Tamil Nadu Electricity Board - TNEB",
	"Kerala State Electricity Board - KSEB",
	"West Bengal State Electricity Distribution - WBSEDCL",
	"CESC Limited",
	"Southern Power Distribution of Andhra Pradesh - APSPDCL",
	"Southern Power Distribution of Telangana - TSSPDCL",
	"Uttar Pradesh Power Corporation - UPPCL Urban",
	"Jaipur Vidyut Vitran Nigam - JVVNL",
	"Ajmer Vidyut Vitran Nigam - AVVNL",
	"Jodhpur Vidyut Vitran Nigam - JdVVNL",
	"Madhya Pradesh Madhya Kshetra Vidyut Vitaran - Bhopal",
	"Punjab State Power Corporation - PSPCL",
	"Dakshin Haryana Bijli Vitran Nigam - DHBVN",
	"Uttar Haryana Bijli Vitran Nigam - UHBVN",
	"North Bihar Power Distribution - NBPDCL",
	"South Bihar Power Distribution - SBPDCL",
	"TP Central Odisha Distribution - TPCODL",
	"Assam Power Distribution Company - APDCL",
	"Chhattisgarh State Power Distribution - CSPDCL",
	"Hubli Electricity Supply Company - HESCOM",
	"Goa Electricity Department",
}

var gasCompanies = []string{
	"Indraprastha Gas Limited",
	"Mahanagar Gas Limited",
	"Adani Total Gas Limited",
}

// defaultCircles lists every circle code KwikAPI documents; the names mix casings on purpose.
func defaultCircles() []Circle {
	return []Circle{
		{"1", "DELHI (DL)"}, {"2", "UP West (UPW)"}, {"4", "Maharashtra (MH)"},
		{"5", "ANDHRA PRADESH (AP)"}, {"7", "Karnataka (KA)"}, {"8", "GUJARAT (GJ)"},
		{"9", "UP East (UPE)"}, {"10", "Madhya Pradesh (MP)"}, {"12", "WEST BENGAL (WB)"},
		{"13", "Rajasthan (RJ)"}, {"14", "KERALA (KL)"}, {"15", "Punjab (PB)"},
		{"16", "HARYANA (HR)"}, {"17", "Bihar (BR)"}, {"18", "ODISHA (OD)"},
		{"19", "Assam (AS)"}, {"21", "HIMACHAL PRADESH (HP)"}, {"22", "Jammu and Kashmir (JK)"},
		{"23", "TAMIL NADU (TN)"}, {"24", "Jharkhand (JH)"}, {"25", "CHHATTISGARH (CG)"},
		{"26", "Goa (GA)"}, {"27", "MEGHALAYA (ML)"}, {"28", "Manipur (MN)"},
		{"29", "MIZORAM (MZ)"}, {"30", "Nagaland (NL)"}, {"31", "TRIPURA (TR)"},
		{"32", "Sikkim (SK)"}, {"33", "UTTARAKHAND (UK)"}, {"34", "Chandigarh (CH)"},
		{"35", "PUDUCHERRY (PY)"}, {"36", "Andaman and Nicobar Islands (AN)"},
		{"37", "LAKSHADWEEP (LD)"}, {"38", "Dadra and Nagar Haveli and Daman and Diu (DN)"},
		{"39", "LADAKH (LA)"}, {"40", "Telangana (TS)"}, {"41", "ARUNACHAL PRADESH (AR)"},
	}
}
