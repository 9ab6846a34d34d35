package conversation

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// bulkCatalog is the part of the catalog a bulk validation reads, loaded once per batch.
type bulkCatalog struct {
	// services holds every operator by service, inactive ones included, so that a known but
	// disabled operator gets its own reason.
	services map[string][]models.Operator
	byID     map[string]models.Operator
}

func (e *Engine) loadBulkCatalog(ctx context.Context) (bulkCatalog, error) {
	c := bulkCatalog{services: map[string][]models.Operator{}, byID: map[string]models.Operator{}}
	for _, service := range []string{models.ServicePrepaid, models.ServiceDTH} {
		ops, err := e.store.Operators(ctx, service, false)
		if err != nil {
			return bulkCatalog{}, err
		}
		c.services[service] = ops
		for _, op := range ops {
			c.byID[op.ID] = op
		}
	}
	return c, nil
}

// match returns the operator of service that text names: its id, its whole name, one or more
// whole words of its name ("Jio", "Tata Play") or the start of its name (3 characters or
// more), ignoring case and punctuation. Text that fits several operators matches none.
func (c bulkCatalog) match(service, text string) (models.Operator, *bulkProblem) {
	ops := c.services[service]
	text = strings.TrimSpace(text)
	for _, op := range ops {
		if strings.EqualFold(op.ID, text) {
			return op, nil
		}
	}

	typed := normalizeLabel(text)
	if typed == "" {
		return models.Operator{}, &bulkProblem{key: msgBulkUnknownOperator, vars: vars{"Value": clip(text, 32)}}
	}
	for _, op := range ops {
		if normalizeLabel(op.Name) == typed {
			return op, nil
		}
	}

	var found []models.Operator
	for _, op := range ops {
		name := normalizeLabel(op.Name)
		if strings.Contains(" "+name+" ", " "+typed+" ") || (len(typed) >= 3 && strings.HasPrefix(name, typed)) {
			found = append(found, op)
		}
	}
	switch len(found) {
	case 0:
		return models.Operator{}, &bulkProblem{key: msgBulkUnknownOperator, vars: vars{"Value": clip(text, 32)}}
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, op := range found {
		names[i] = op.Name
	}
	return models.Operator{}, &bulkProblem{key: msgBulkAmbiguousOperator, vars: vars{
		"Value": clip(text, 32), "Names": strings.Join(names, ", "),
	}}
}

// checkAmount reports an amount outside what the operator accepts.
func checkAmount(op models.Operator, paise int64) *bulkProblem {
	minPaise, maxPaise := op.MinPaise, op.MaxPaise
	if minPaise <= 0 {
		minPaise = defaultMinPaise
	}
	if maxPaise <= 0 || maxPaise > maxAmountPaise {
		maxPaise = maxAmountPaise
	}
	if paise < minPaise || paise > maxPaise {
		return &bulkProblem{key: msgBulkAmountRange, vars: vars{
			"Operator": op.Name, "Amount": paise, "Min": minPaise, "Max": maxPaise,
		}}
	}
	return nil
}

// detection is the operator and circle detected for one mobile number, or why there is none.
type detection struct {
	op      models.Operator
	circle  string
	problem *bulkProblem
}

// validateBulk turns parsed rows into the lines of a run: each row valid (queued) or invalid
// with the reason. Mobile numbers without an operator are detected through KwikAPI, each
// number once, Bulk.Concurrency at a time. A line repeating an earlier valid line's number
// and amount is invalid, as a likely slip of the paste.
func (e *Engine) validateBulk(ctx context.Context, rows []bulkRow) ([]models.BulkLine, error) {
	catalog, err := e.loadBulkCatalog(ctx)
	if err != nil {
		return nil, err
	}

	lines := make([]models.BulkLine, len(rows))
	var undetected []string
	for i, row := range rows {
		lines[i] = e.validateRow(catalog, row)
		if lines[i].Status == models.BulkLineQueued && lines[i].OperatorID == "" {
			undetected = append(undetected, lines[i].Number)
		}
	}

	detected := e.detectAll(ctx, catalog, undetected)
	for i := range lines {
		line := &lines[i]
		if line.Status != models.BulkLineQueued || line.OperatorID != "" {
			continue
		}
		d := detected[line.Number]
		if d.problem == nil {
			d.problem = checkAmount(d.op, line.AmountPaise)
		}
		if d.problem != nil {
			e.invalidate(line, d.problem)
			continue
		}
		line.OperatorID, line.OperatorName, line.CircleCode = d.op.ID, d.op.Name, d.circle
	}

	e.flagDuplicates(lines)
	return lines, nil
}

// validateRow checks one row against the catalog. A mobile line without an operator comes
// back queued with an empty OperatorID, for detection.
func (e *Engine) validateRow(catalog bulkCatalog, row bulkRow) models.BulkLine {
	line := models.BulkLine{Line: row.Line, Input: row.Input, Status: models.BulkLineQueued}
	if row.TooLong {
		e.invalidate(&line, &bulkProblem{key: msgBulkTooLong, vars: vars{"Max": maxBulkLineBytes}})
		return line
	}
	req, problem := parseBulkRow(row.Fields)
	if problem != nil {
		if len(row.Fields) > 0 {
			line.Number = clipBytes(row.Fields[0], 32)
		}
		e.invalidate(&line, problem)
		return line
	}
	line.Kind, line.Number, line.AmountPaise = req.Kind, clipBytes(req.Number, 32), req.AmountPaise
	if req.Kind == models.KindMobile && req.Operator == "" {
		return line
	}

	service := models.ServicePrepaid
	if req.Kind == models.KindDTH {
		service = models.ServiceDTH
	}
	op, problem := catalog.match(service, req.Operator)
	switch {
	case problem != nil:
	case !op.Active:
		problem = &bulkProblem{key: msgBulkOperatorOff, vars: vars{"Operator": op.Name}}
	case req.Kind == models.KindDTH:
		id, ok := parseSubscriberID(op.ID, req.Number)
		if ok {
			line.Number = id
			break
		}
		line.Number = clipBytes(req.Number, 32)
		problem = &bulkProblem{key: msgBulkBadSubscriber, vars: vars{
			"Operator": op.Name, "Format": e.texts.render(formatOf(op.ID).hint, nil),
		}}
	}
	if problem == nil {
		problem = checkAmount(op, req.AmountPaise)
	}
	line.OperatorID, line.OperatorName = op.ID, op.Name
	if problem != nil {
		e.invalidate(&line, problem)
	}
	return line
}

// invalidate marks line invalid with the reason rendered from problem.
func (e *Engine) invalidate(line *models.BulkLine, problem *bulkProblem) {
	line.Status = models.BulkLineInvalid
	line.Reason = e.texts.render(problem.key, problem.vars)
}

// detectAll detects the operator and circle of each distinct number, Bulk.Concurrency
// numbers at a time.
func (e *Engine) detectAll(ctx context.Context, catalog bulkCatalog, numbers []string) map[string]detection {
	out := make(map[string]detection, len(numbers))
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, e.cfg.Bulk.Concurrency)
		seen = map[string]bool{}
	)
	for _, number := range numbers {
		if seen[number] {
			continue
		}
		seen[number] = true
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d := e.detectOne(ctx, catalog, number)
			mu.Lock()
			out[number] = d
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func (e *Engine) detectOne(ctx context.Context, catalog bulkCatalog, number string) detection {
	found, err := e.kwik.Detect(ctx, number)
	if err != nil {
		e.log.Warn("Detecting the operator of a bulk line failed", "number", bot.Mask(number), "error", err)
		return detection{problem: &bulkProblem{key: msgBulkDetectFailed}}
	}
	op, ok := catalog.byID[found.OperatorID]
	if !ok || !op.Active || op.Service != models.ServicePrepaid {
		name := found.OperatorName
		if name == "" {
			name = found.OperatorID
		}
		return detection{problem: &bulkProblem{key: msgBulkDetectedUnknown, vars: vars{"Operator": clip(name, 32)}}}
	}
	return detection{op: op, circle: found.CircleCode}
}

// flagDuplicates marks invalid every valid line with the same kind, number and amount as an
// earlier valid line.
func (e *Engine) flagDuplicates(lines []models.BulkLine) {
	first := map[string]int{}
	for i := range lines {
		line := &lines[i]
		if line.Status != models.BulkLineQueued {
			continue
		}
		key := line.Kind + "|" + line.Number + "|" + strconv.FormatInt(line.AmountPaise, 10)
		if earlier, ok := first[key]; ok {
			e.invalidate(line, &bulkProblem{key: msgBulkDuplicate, vars: vars{"Line": earlier}})
			continue
		}
		first[key] = line.Line
	}
}
