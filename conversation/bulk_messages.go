package conversation

// The chat texts of bulk runs.
const (
	msgBulkBadShape          msgKey = "bulk_bad_shape"
	msgBulkBadNumber         msgKey = "bulk_bad_number"
	msgBulkBadAmount         msgKey = "bulk_bad_amount"
	msgBulkAmountTooLarge    msgKey = "bulk_amount_too_large"
	msgBulkUnknownOperator   msgKey = "bulk_unknown_operator"
	msgBulkAmbiguousOperator msgKey = "bulk_ambiguous_operator"
	msgBulkAmountRange       msgKey = "bulk_amount_range"
	msgBulkOperatorOff       msgKey = "bulk_operator_off"
	msgBulkBadSubscriber     msgKey = "bulk_bad_subscriber"
	msgBulkTooLong           msgKey = "bulk_too_long"
	msgBulkDetectFailed      msgKey = "bulk_detect_failed"
	msgBulkDetectedUnknown   msgKey = "bulk_detected_unknown"
	msgBulkDuplicate         msgKey = "bulk_duplicate"

	msgBulkAsk              msgKey = "bulk_ask"
	msgBulkInputCancelled   msgKey = "bulk_input_cancelled"
	msgBulkSpreadsheet      msgKey = "bulk_spreadsheet"
	msgBulkFileTooLarge     msgKey = "bulk_file_too_large"
	msgBulkTooMany          msgKey = "bulk_too_many"
	msgBulkNotText          msgKey = "bulk_not_text"
	msgBulkBadCSV           msgKey = "bulk_bad_csv"
	msgBulkEmpty            msgKey = "bulk_empty"
	msgBulkProblem          msgKey = "bulk_problem"
	msgBulkInvalidFile      msgKey = "bulk_invalid_file"
	msgBulkNothingValid     msgKey = "bulk_nothing_valid"
	msgBulkPreview          msgKey = "bulk_preview"
	msgBulkNoRun            msgKey = "bulk_no_run"
	msgBulkPreviewExpired   msgKey = "bulk_preview_expired"
	msgBulkShort            msgKey = "bulk_short"
	msgBulkBusy             msgKey = "bulk_busy"
	msgBulkStarted          msgKey = "bulk_started"
	msgBulkAlreadyRunning   msgKey = "bulk_already_running"
	msgBulkDiscarded        msgKey = "bulk_discarded"
	msgBulkAlreadyFinished  msgKey = "bulk_already_finished"
	msgBulkNothingToCancel  msgKey = "bulk_nothing_to_cancel"
	msgBulkPreviewCancelled msgKey = "bulk_preview_cancelled"
	msgBulkNoRuns           msgKey = "bulk_no_runs"
	msgBulkStatus           msgKey = "bulk_status"
	msgBulkPreviewWaiting   msgKey = "bulk_preview_waiting"
	msgBulkRestarting       msgKey = "bulk_restarting"
	msgBulkCancelled        msgKey = "bulk_cancelled"
	msgBulkProgress         msgKey = "bulk_progress"
	msgBulkPreviewReplaced  msgKey = "bulk_preview_replaced"
	msgBulkSummary          msgKey = "bulk_summary"
	msgBulkSummaryCancelled msgKey = "bulk_summary_cancelled"
	msgBulkAlert            msgKey = "bulk_alert"

	bulkStatusPrefix msgKey = "bulk_status_" // + models.BulkRunStatus

	optBulkConfirm msgKey = "opt_bulk_confirm"
	optBulkStatus  msgKey = "opt_bulk_status"
	optBulkStop    msgKey = "opt_bulk_stop"
	optBulkReport  msgKey = "opt_bulk_report"
)

// bulkLineFormats names the three line formats in texts that tell the agent what to write.
const bulkLineFormats = "NUMBER AMOUNT, NUMBER AMOUNT OPERATOR or dth OPERATOR SUBSCRIBER_ID AMOUNT"

func init() {
	addMessages("en", Catalog{
		msgBulkBadShape:          "not a recharge line: write " + bulkLineFormats,
		msgBulkBadNumber:         "{{.Value}} is not a mobile number: write 10 digits starting with 6, 7, 8 or 9",
		msgBulkBadAmount:         "{{.Value}} is not an amount: write rupees such as 199 or 199.50",
		msgBulkAmountTooLarge:    "{{.Value}} is more than any recharge can be: write the amount in rupees, such as 199",
		msgBulkUnknownOperator:   "no operator matches {{.Value}}: write a name such as Airtel, Jio, Vi or Tata Play",
		msgBulkAmbiguousOperator: "{{.Value}} matches several operators ({{.Names}}): write the full name",
		msgBulkAmountRange:       "{{.Operator}} takes {{rupees .Min}} to {{rupees .Max}}, not {{rupees .Amount}}",
		msgBulkOperatorOff:       "{{.Operator}} is not taking recharges at the moment",
		msgBulkBadSubscriber:     "not a {{.Operator}} subscriber ID: write {{.Format}}",
		msgBulkTooLong:           "longer than {{.Max}} characters",
		msgBulkDetectFailed:      "could not look up the operator: add it after the amount, such as 9876543210 199 Airtel",
		msgBulkDetectedUnknown: "the number is on {{.Operator}}, which I cannot recharge: " +
			"if that is wrong, add the operator after the amount",
		msgBulkDuplicate: "same number and amount as line {{.Line}}: send it in another batch if you mean to recharge it twice",

		msgBulkAsk: "Paste up to {{.Max}} lines, one recharge per line, such as:\n" +
			"9876543210 199\n9876543210 199 Airtel\ndth Tata Play 1234567890 300\n" +
			"or send a CSV file with the same columns. A Telegram message holds about 150 such lines, " +
			"so send more as a file. I check every line and show a preview before anything is charged.",
		msgBulkInputCancelled: "OK, no bulk recharge. Send /bulk when you have the lines.",
		msgBulkSpreadsheet:    "I can only read CSV files. Save the sheet as CSV (UTF-8) and send that file.",
		msgBulkFileTooLarge:   "That file is larger than {{.MaxKB}} KB. Send at most {{.Max}} lines per file.",
		msgBulkTooMany: "That is more than {{.Max}} lines. Split them into batches of at most {{.Max}} " +
			"and send each with /bulk.",
		msgBulkNotText: "I could not read that file as text. Save it as CSV (UTF-8) and send it again.",
		msgBulkBadCSV: "I could not read the file as CSV at line {{.Line}}. Check the quotes on that line, " +
			"or save the sheet again as CSV (UTF-8).",
		msgBulkEmpty:       "I found no lines to recharge. Send one per line: " + bulkLineFormats + ".",
		msgBulkProblem:     "line {{.Line}}: {{.Reason}}",
		msgBulkInvalidFile: "{{.Invalid}} lines are invalid; the attached file lists each with the reason.",
		msgBulkNothingValid: "None of the {{.Lines}} line{{if ne .Lines 1}}s{{end}} is valid:\n{{range .Problems}}{{.}}\n{{end}}" +
			"{{if gt .More 0}}…and {{.More}} more, all in the attached file.\n{{end}}" +
			"Correct them and send /bulk again. Each line is " + bulkLineFormats + ".",
		msgBulkPreview: "Bulk run {{.ID}} ({{.Source}}): {{.Lines}} line{{if ne .Lines 1}}s{{end}}.\n" +
			"✅ {{.Valid}} valid ({{.Mobile}} mobile, {{.DTH}} DTH), total {{rupees .Total}}\n" +
			"{{if .Invalid}}❌ {{.Invalid}} invalid, not charged:\n{{range .Problems}}{{.}}\n{{end}}" +
			"{{if gt .More 0}}…and {{.More}} more, all in the attached file.\n{{end}}{{end}}" +
			"Wallet: {{rupees .Balance}}{{if gt .Missing 0}}, {{rupees .Missing}} short: ask an admin to add money before you confirm{{end}}.\n\n" +
			"Confirm to recharge the {{.Valid}} valid line{{if ne .Valid 1}}s{{end}}, or Cancel. To fix invalid lines, send them again with /bulk.",
		msgBulkNoRun:          "You have no such bulk run. /bulkstatus shows your latest one.",
		msgBulkPreviewExpired: "This preview is more than {{.Minutes}} minutes old, so I dropped it. Send the lines again with /bulk.",
		msgBulkShort: "Your wallet has {{rupees .Balance}} but this bulk run needs {{rupees .Total}}: " +
			"{{rupees .Missing}} more. Ask an admin to add money, then tap Confirm again.",
		msgBulkBusy: "Another bulk run of yours is still running. Wait for its report, or stop it with /bulkcancel, " +
			"then confirm again.",
		msgBulkStarted: "Bulk run {{.ID}} started: {{.Valid}} recharge{{if ne .Valid 1}}s{{end}}, {{rupees .Total}} taken from your wallet " +
			"(balance now {{rupees .Balance}}). Failed recharges are refunded. I will show the progress and send a report at the end.",
		msgBulkAlreadyRunning:   "Bulk run {{.ID}} is already running. /bulkstatus shows its progress; /bulkcancel stops it.",
		msgBulkDiscarded:        "That preview was cancelled or replaced by a newer one. Send the lines again with /bulk.",
		msgBulkAlreadyFinished:  "Bulk run {{.ID}} has already finished. /bulkstatus shows its result.",
		msgBulkNothingToCancel:  "You have no bulk run running and no preview waiting.",
		msgBulkPreviewCancelled: "Cancelled the preview of bulk run {{.ID}}. Nothing was charged.",
		msgBulkPreviewReplaced:  "The preview of bulk run {{.Old}} is replaced by bulk run {{.ID}} below; nothing was charged for it.",
		msgBulkNoRuns:           "You have not run a bulk recharge yet. Send /bulk to start one.",
		msgBulkRestarting: "The service is restarting, so this bulk run did not start and nothing was charged. " +
			"Tap Confirm again in a minute.",
		msgBulkPreviewWaiting: "Bulk run {{.ID}} has not started: it waits for your confirmation of {{.Valid}} " +
			"recharge{{if ne .Valid 1}}s{{end}}, {{rupees .Total}} in all. Tap Confirm to start it or Cancel to drop it.",
		msgBulkStatus: "{{.Progress}}\nStatus: {{.Status}} · from {{.Source}} · {{rupees .Held}} debited at the start" +
			"{{if .Released}}, {{rupees .ReleasedAmount}} returned for {{.Released}} line{{if ne .Released 1}}s{{end}} not sent{{end}}" +
			"{{if .Invalid}} · {{.Invalid}} invalid line{{if ne .Invalid 1}}s{{end}} skipped{{end}}",
		msgBulkCancelled: "Stopped bulk run {{.ID}}: {{.Released}} line{{if ne .Released 1}}s{{end}} not sent and {{rupees .Amount}} went back " +
			"to your wallet (balance {{rupees .Balance}}). Lines already sent finish normally; the report follows.",
		msgBulkProgress: "Bulk run {{.ID}}{{if .Finished}}, finished{{else if .Stopped}}, stopped{{end}}\n{{.Bar}}\n" +
			"Done {{.Done}} of {{.Total}} · ✅ {{.Success}} · ❌ {{.Failed}} · ⏳ {{.Pending}}" +
			"{{if .Released}} · not sent {{.Released}}{{end}}",
		msgBulkSummary:          "Bulk run {{.ID}} finished: {{.Total}} recharge{{if ne .Total 1}}s{{end}}.\n" + bulkSummaryLines,
		msgBulkSummaryCancelled: "Bulk run {{.ID}} was stopped: {{.Total}} recharge{{if ne .Total 1}}s{{end}}.\n" + bulkSummaryLines,
		msgBulkAlert: "Bulk run {{.ID}} of user #{{.UserID}}: {{.Failed}} of {{.Total}} recharges failed, " +
			"{{rupees .FailedAmount}} refunded.",

		bulkStatusPrefix + "preview":   "waiting for confirmation",
		bulkStatusPrefix + "discarded": "cancelled before it started",
		bulkStatusPrefix + "running":   "running",
		bulkStatusPrefix + "done":      "finished",
		bulkStatusPrefix + "cancelled": "stopped",

		optBulkConfirm: "Confirm {{rupees .Amount}}",
		optBulkStatus:  "Status",
		optBulkStop:    "Stop",
		optBulkReport:  "Report",

		cmdPrefix + "bulk":       "recharge many numbers at once: paste lines or send a CSV",
		cmdPrefix + "bulkstatus": "show your current or last bulk run",
		cmdPrefix + "bulkcancel": "stop the lines of your bulk run not sent yet",
	})
}

// bulkSummaryLines is the part of a run's summary that counts its lines.
const bulkSummaryLines = "✅ {{.Success}} successful ({{rupees .SuccessAmount}})\n" +
	"❌ {{.Failed}} failed{{if .Failed}}, {{rupees .FailedAmount}} refunded to your wallet{{end}}\n" +
	"⏳ {{.Pending}} pending{{if .Pending}} ({{rupees .PendingAmount}}): I will message you as each completes, " +
	"and refund any that fail{{end}}\n" +
	"{{if .Released}}⏹ {{.Released}} not sent, {{rupees .ReleasedAmount}} returned to your wallet\n{{end}}" +
	"{{if .Invalid}}{{.Invalid}} invalid line{{if ne .Invalid 1}}s{{end}} skipped.\n{{end}}" +
	"Wallet: {{rupees .Balance}}. The attached report lists every line."
