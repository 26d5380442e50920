--- Live evaluation (docs/lsp.md "Live evaluation"): `yin/eval` requests, always asynchronous,
--- with the scope the command asks for; their values as virtual text after the form, their errors
--- as diagnostics (namespace `yin_eval`) and in the log, the trace in the quickfix list, the
--- running state in `vim.g.yin_eval_status`; eval to comment, replace, interrupt, the session.
--- The forms themselves (innermost, top-level, the file's) are found by the server, never here.
local config = require('yin.config')
local log = require('yin.log')
local lsp = require('yin.lsp')

local M = {}

--- The virtual texts' namespace.
M.ns = vim.api.nvim_create_namespace('yin_eval_results')
--- The errors' diagnostics (the name the docs give).
M.diagnostic_ns = vim.api.nvim_create_namespace('yin_eval')
--- The evaluated range's brief highlight (as Conjure's): which form ran is seen, not guessed.
M.flash_ns = vim.api.nvim_create_namespace('yin_eval_flash')

--- Results shown, per buffer, by the id of the extmark spanning the evaluated form, with the
--- form's text when it was evaluated.
---@type table<integer, table<integer, { mark: integer, result: table, text: string }>>
local shown = {}

--- The last evaluation's result and buffer (`:YinInspect` without a result under the cursor).
---@type { buf: integer, result: table }|nil
M.last = nil

--- The last error's trace as quickfix items (`:YinTrace`).
---@type table[]
M.last_trace = {}

--- Evaluations waiting for their answer, by `client_id:request_id`.
---@type table<string, { buf: integer, scope: string, progress: string|nil, token: string|nil, client_id: integer }>
local running = {}

local token_counter = 0

local function cut(s, max)
  if vim.fn.strchars(s) > max then
    return vim.fn.strcharpart(s, 0, max - 1) .. '…'
  end
  return s
end

local function one_line(s, max)
  return cut((s:gsub('%s*\n%s*', ' ')), max)
end

--- `vim.g.yin_eval_status`: `''` when nothing runs, else what runs (for statuslines).
---@return string
function M.status()
  return vim.g.yin_eval_status or ''
end

local function update_status()
  local count, progress = 0, nil
  for _, entry in pairs(running) do
    count = count + 1
    progress = entry.progress or progress
  end
  local status = ''
  if count > 0 then
    -- The progress's title says what runs ("yin: loading area"), its message how far.
    status = (progress or 'yin: evaluating') .. (count > 1 and (' (' .. count .. ')') or '')
  end
  vim.g.yin_eval_status = status
  pcall(vim.cmd.redrawstatus)
end

local function echo(text, hl)
  -- Without a UI (headless, embedded) an echo only pollutes stdout.
  if #vim.api.nvim_list_uis() == 0 then
    return
  end
  -- Shorter than the command line, so that it never asks for Enter.
  local room = math.max(vim.v.echospace - 1, 10)
  vim.api.nvim_echo({ { one_line(text, room), hl or 'None' } }, false, {})
end

--- The virtual text chunks for a result.
---@param result table
---@param max? integer the value's length in characters (default: `eval.inline_max_length`)
---@return table
function M.chunks(result, max)
  max = max or config.resolve().eval.inline_max_length
  if result.error then
    local prefix = result.interrupted and '=> ' or '=> error: '
    return { { prefix .. one_line(result.error.message, max), 'YinEvalError' } }
  end
  return { { '=> ' .. one_line(result.value or 'nil', max), 'YinEvalValue' } }
end

--- Removes a shown result whose form starts where `row, col` is. The marks there are looked up
--- by position (a file load shows hundreds of results: one scan of them all per result would
--- be quadratic).
local function forget_at(buf, row, col)
  local entries = shown[buf] or {}
  local here = vim.api.nvim_buf_get_extmarks(buf, M.ns, { row, col }, { row, col }, {})
  for _, m in ipairs(here) do
    local id = m[1]
    local entry = entries[id]
    if entry then
      vim.api.nvim_buf_del_extmark(buf, M.ns, id)
      vim.api.nvim_buf_del_extmark(buf, M.ns, entry.mark)
      entries[id] = nil
    end
  end
end

local function span_text(buf, id)
  local m = vim.api.nvim_buf_get_extmark_by_id(buf, M.ns, id, { details = true })
  if #m == 0 then
    return nil
  end
  local ok, lines =
    pcall(vim.api.nvim_buf_get_text, buf, m[1], m[2], m[3].end_row, m[3].end_col, {})
  return ok and table.concat(lines, '\n') or nil
end

--- Drops the results whose form was edited: a value shown after a changed form would be a lie.
local function drop_edited(buf)
  for id, entry in pairs(shown[buf] or {}) do
    if span_text(buf, id) ~= entry.text then
      pcall(vim.api.nvim_buf_del_extmark, buf, M.ns, id)
      pcall(vim.api.nvim_buf_del_extmark, buf, M.ns, entry.mark)
      shown[buf][id] = nil
    end
  end
end

local function track(buf)
  local group = vim.api.nvim_create_augroup('yin_eval_' .. buf, { clear = true })
  vim.api.nvim_create_autocmd({ 'TextChanged', 'TextChangedI' }, {
    group = group,
    buffer = buf,
    callback = function()
      drop_edited(buf)
    end,
  })
  vim.api.nvim_create_autocmd({ 'BufWipeout', 'BufUnload' }, {
    group = group,
    buffer = buf,
    callback = function()
      shown[buf] = nil
      vim.api.nvim_del_augroup_by_id(group)
    end,
  })
end

--- Shows `result` (one form's: `range`, `value` or `error`) as virtual text after its range.
---@param buf integer
---@param result table
---@param encoding string
---@param max? integer see `M.chunks`
function M.show(buf, result, encoding, max)
  if not result.range then
    return
  end
  local sr, sc, er, ec = lsp.range_to_buffer(buf, result.range, encoding)
  forget_at(buf, sr, sc)
  if not shown[buf] then
    shown[buf] = {}
    track(buf)
  end
  -- One mark spans the form (to find the result under the cursor as the text moves), one carries
  -- the text at the end of the form's last line.
  local span = vim.api.nvim_buf_set_extmark(
    buf,
    M.ns,
    sr,
    sc,
    { end_row = er, end_col = ec, right_gravity = false }
  )
  local text = vim.api.nvim_buf_set_extmark(buf, M.ns, er, ec, {
    virt_text = M.chunks(result, max),
    virt_text_pos = 'eol',
    hl_mode = 'combine',
  })
  shown[buf][span] = { mark = text, result = result, text = span_text(buf, span) }
end

--- The result whose form contains the cursor, else the last one on the cursor's line.
---@param buf integer
---@param row integer
---@param col integer
---@return table|nil
function M.result_at(buf, row, col)
  local best, best_start
  for id, entry in pairs(shown[buf] or {}) do
    local m = vim.api.nvim_buf_get_extmark_by_id(buf, M.ns, id, { details = true })
    if #m > 0 then
      local s = { m[1], m[2] }
      local e = { m[3].end_row, m[3].end_col }
      local inside = (row > s[1] or (row == s[1] and col >= s[2]))
        and (row < e[1] or (row == e[1] and col <= e[2]))
      local on_line = row >= s[1] and row <= e[1]
      if inside or on_line then
        -- The innermost form containing the cursor: the one starting last.
        local later = best_start
          and (s[1] > best_start[1] or (s[1] == best_start[1] and s[2] > best_start[2]))
        if not best or later or (inside and not best.inside) then
          best, best_start = { result = entry.result, inside = inside }, s
        end
      end
    end
  end
  return best and best.result
end

--- Every shown result of `buf`, in source order, as `{row, col, text}` of its virtual text
--- (what the user sees; the tests read it).
---@param buf integer
---@return table[]
function M.virtual_texts(buf)
  local out = {}
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, M.ns, 0, -1, { details = true })) do
    local details = m[4]
    if details.virt_text then
      local text = {}
      for _, chunk in ipairs(details.virt_text) do
        table.insert(text, chunk[1])
      end
      table.insert(out, { row = m[2], col = m[3], text = table.concat(text) })
    end
  end
  return out
end

--- `limits` and `print` from the settings (validated by config.lua).
---@return table limits, table print
function M.request_settings()
  local e = config.resolve().eval
  return { steps = e.max_steps, timeMs = e.timeout_ms, memoryMb = e.memory_mb }, {
    maxLength = e.max_length,
    maxDepth = e.max_depth,
  }
end

--- A trace entry's place as `file:line:col` (1-based), or nil.
---@param entry { uri?: string, range?: table }
---@return string|nil
function M.place(entry)
  if not entry.uri or not entry.range then
    return nil
  end
  local name = vim.fn.fnamemodify(vim.uri_to_fname(entry.uri), ':~:.')
  return ('%s:%d:%d'):format(name, entry.range.start.line + 1, entry.range.start.character + 1)
end

--- The error's first trace line, else its place: what the diagnostic adds to the message.
local function first_trace_line(err)
  local top = err.trace and err.trace[1]
  if top then
    local place = M.place(top)
    return 'at ' .. top.description .. (place and ('  ' .. place) or '')
  end
  local place = M.place(err)
  return place and ('at ' .. place) or nil
end

--- Whether two document URIs name the same file (percent-encoding may differ).
local function same_file(a, b)
  return a ~= nil and b ~= nil and vim.uri_to_fname(a) == vim.uri_to_fname(b)
end

--- The loaded buffer of `uri`, or nil.
local function loaded_buffer(uri)
  local b = vim.fn.bufnr(vim.uri_to_fname(uri))
  return (b ~= -1 and vim.api.nvim_buf_is_loaded(b)) and b or nil
end

--- A diagnostic of `message` (and the first trace line) at `range` of `buf`.
local function diagnostic(buf, range, err, encoding)
  local sr, sc, er, ec = lsp.range_to_buffer(buf, range, encoding)
  local message = err.message
  local trace = first_trace_line(err)
  if trace then
    message = message .. '\n' .. trace
  end
  return {
    lnum = sr,
    col = sc,
    end_lnum = er,
    end_col = ec,
    severity = vim.diagnostic.severity.ERROR,
    source = 'yin eval',
    message = message,
  }
end

--- Where an error is marked, by buffer: at its range when it failed in `buf` (a range without a
--- file is `buf`'s); else at the evaluated form, and also at its range in the other file when
--- that file is loaded (a definition that failed while loading).
---@return table<integer, table[]>
local function error_diagnostics(buf, uri, err, form_range, encoding)
  local out = {}
  local function add(b, range)
    out[b] = out[b] or {}
    table.insert(out[b], diagnostic(b, range, err, encoding))
  end
  if err.range and (err.uri == nil or same_file(err.uri, uri)) then
    add(buf, err.range)
    return out
  end
  if form_range then
    add(buf, form_range)
  end
  local other = err.range and err.uri and loaded_buffer(err.uri)
  if other then
    add(other, err.range)
  end
  return out
end

--- The other buffers an evaluation of a buffer marked (`error_diagnostics`): cleared with its
--- own marks at its next evaluation.
---@type table<integer, integer[]>
local marked_elsewhere = {}

local function clear_marks(buf)
  vim.diagnostic.reset(M.diagnostic_ns, buf)
  for _, other in ipairs(marked_elsewhere[buf] or {}) do
    if vim.api.nvim_buf_is_valid(other) then
      vim.diagnostic.reset(M.diagnostic_ns, other)
    end
  end
  marked_elsewhere[buf] = nil
end

--- The error's trace as quickfix items, innermost first.
local function trace_items(err)
  local items = {}
  local function add(entry, text)
    if entry.uri and entry.range then
      table.insert(items, {
        filename = vim.uri_to_fname(entry.uri),
        lnum = entry.range.start.line + 1,
        col = entry.range.start.character + 1,
        text = text,
      })
    end
  end
  add(err, err.message)
  for _, frame in ipairs(err.trace or {}) do
    add(frame, frame.description)
  end
  return items
end

--- The text of `range` in `buf` if the buffer is still as it was evaluated, for the log.
local function range_text(buf, range, encoding, tick)
  if
    not range
    or not vim.api.nvim_buf_is_valid(buf)
    or vim.api.nvim_buf_get_changedtick(buf) ~= tick
  then
    return nil
  end
  local sr, sc, er, ec = lsp.range_to_buffer(buf, range, encoding)
  local ok, lines = pcall(vim.api.nvim_buf_get_text, buf, sr, sc, er, ec, {})
  return ok and table.concat(lines, '\n') or nil
end

--- Shows an answered evaluation: virtual texts, diagnostics, the log, the echo.
local function present(buf, scope, result, encoding, tick)
  local uri = vim.uri_from_bufnr(buf)
  local max = config.resolve().eval.inline_max_length
  local diagnostics = { [buf] = {} }
  local function add_error(err, range)
    for b, list in pairs(error_diagnostics(buf, uri, err, range, encoding)) do
      diagnostics[b] = vim.list_extend(diagnostics[b] or {}, list)
    end
  end
  if result.results and #result.results > 0 then
    for _, r in ipairs(result.results) do
      M.show(buf, r, encoding, max)
      if r.error then
        add_error(r.error, r.range)
      end
    end
    if result.error and not result.results[#result.results].error then
      add_error(result.error, result.range)
    end
  else
    M.show(buf, result, encoding, max)
    if result.error then
      add_error(result.error, result.range)
    end
    if result.range and vim.api.nvim_buf_get_changedtick(buf) == tick then
      local sr, sc, er, ec = lsp.range_to_buffer(buf, result.range, encoding)
      vim.hl.range(buf, M.flash_ns, 'YinEvalFlash', { sr, sc }, { er, ec }, { timeout = 200 })
    end
  end
  clear_marks(buf)
  for b, list in pairs(diagnostics) do
    vim.diagnostic.set(M.diagnostic_ns, b, list)
    if b ~= buf then
      marked_elsewhere[buf] = marked_elsewhere[buf] or {}
      table.insert(marked_elsewhere[buf], b)
    end
  end
  if result.error then
    M.last_trace = trace_items(result.error)
  end
  M.last = { buf = buf, result = result }
  log.append_result({
    scope = scope,
    file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':~:.'),
    form = range_text(buf, result.range, encoding, tick),
    result = result,
  })
  if result.error then
    echo('yin: ' .. result.error.message, 'ErrorMsg')
  elseif result.results and #result.results > 1 then
    local failed = 0
    for _, r in ipairs(result.results) do
      failed = failed + (r.error and 1 or 0)
    end
    echo(('yin: %d forms, %d failed'):format(#result.results, failed))
  else
    echo('=> ' .. (result.value or 'nil'))
  end
end

--- Sends `yin/eval` for `buf` with `scope`, never blocking: `on_done(result, tick)` runs when the
--- server answers (`tick`: the buffer's changedtick when it was sent), after the result is shown.
---@param buf integer
---@param scope 'form'|'topLevel'|'selection'|'toCursor'|'file'
---@param opts { position?: integer[], range?: integer[], progress?: boolean }
---  `position`: 0-based row and byte column; `range`: rows and columns, end exclusive
---@param on_done? fun(result: table, tick: integer)
---@return boolean sent
function M.request(buf, scope, opts, on_done)
  local client = lsp.require_client(buf)
  if not client then
    return false
  end
  local limits, print_options = M.request_settings()
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    scope = scope,
    limits = limits,
    print = print_options,
  }
  if opts.position then
    params.position = lsp.position_params(buf, opts.position[1], opts.position[2], client).position
  end
  if opts.range then
    local r = opts.range
    params.range = {
      start = lsp.position_params(buf, r[1], r[2], client).position,
      ['end'] = lsp.position_params(buf, r[3], r[4], client).position,
    }
  end
  local token
  if opts.progress then
    token_counter = token_counter + 1
    token = 'yin-eval-' .. token_counter
    params.workDoneToken = token
  end
  -- The previous evaluation's error marks go now: they may be stale once this one runs.
  clear_marks(buf)
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  local key, answered
  local encoding = client.offset_encoding
  local ok, id = client:request('yin/eval', params, function(err, result)
    answered = true
    if key then
      running[key] = nil
    end
    update_status()
    if err then
      if err.code ~= -32800 then
        local message = ('yin: yin/eval failed: %s'):format(err.message or vim.inspect(err))
        log.append_lines({ '; ' .. message })
        vim.notify(message, vim.log.levels.ERROR)
      end
      return
    end
    if type(result) ~= 'table' or not vim.api.nvim_buf_is_valid(buf) then
      return
    end
    -- JSON `null` values (after an error) are `vim.NIL`, which is truthy: made nil once here.
    for _, r in
      ipairs(vim.list_extend({ result }, type(result.results) == 'table' and result.results or {}))
    do
      if r.value == vim.NIL then
        r.value = nil
      end
    end
    present(buf, scope, result, encoding, tick)
    if on_done then
      on_done(result, tick)
    end
  end, buf)
  if not ok then
    vim.notify('yin: the language server is not running', vim.log.levels.ERROR)
    return false
  end
  -- An in-process server may answer within `request`: then nothing is running any more.
  if not answered then
    key = client.id .. ':' .. tostring(id)
    running[key] = { buf = buf, scope = scope, token = token, client_id = client.id }
    echo('yin: evaluating… (:YinInterrupt to stop)', 'MoreMsg')
  end
  update_status()
  return true
end

--- The cursor as a 0-based position.
local function cursor()
  local c = vim.api.nvim_win_get_cursor(0)
  return { c[1] - 1, c[2] }
end

--- `:YinEvalForm`: the innermost form at the cursor (the server finds it).
function M.eval_form(on_done)
  return M.request(vim.api.nvim_get_current_buf(), 'form', { position = cursor() }, on_done)
end

--- `:YinEvalRoot` (and `:YinEval` without a range): the top-level form at the cursor.
function M.eval_root(on_done)
  return M.request(vim.api.nvim_get_current_buf(), 'topLevel', { position = cursor() }, on_done)
end

--- `:YinEvalToCursor`: every top-level form starting before the cursor.
function M.eval_to_cursor(on_done)
  return M.request(vim.api.nvim_get_current_buf(), 'toCursor', { position = cursor() }, on_done)
end

--- `:YinEvalFile` (and `:YinEvalTop`): every top-level form of the file, with progress.
function M.eval_file(on_done)
  return M.request(vim.api.nvim_get_current_buf(), 'file', { progress = true }, on_done)
end

--- The range of `:<line1>,<line2>` as rows and columns (end exclusive): the visual selection
--- when the range is the last one's (charwise: from `'<` to `'>`, inclusive), else whole lines.
---@param buf integer
---@param line1 integer 1-based
---@param line2 integer 1-based
---@return integer[]
function M.command_range(buf, line1, line2)
  local vs = vim.api.nvim_buf_get_mark(buf, '<')
  local ve = vim.api.nvim_buf_get_mark(buf, '>')
  local last_row = vim.api.nvim_buf_get_lines(buf, line2 - 1, line2, false)[1] or ''
  if vim.fn.visualmode() == 'v' and vs[1] == line1 and ve[1] == line2 then
    local line = vim.api.nvim_buf_get_lines(buf, ve[1] - 1, ve[1], false)[1] or ''
    local ec = math.min(ve[2], #line)
    -- `'>` is on the last character: the range ends after it (a multibyte one too).
    if ec < #line then
      ec = ec + #vim.fn.strcharpart(line:sub(ec + 1), 0, 1)
    end
    return { vs[1] - 1, vs[2], ve[1] - 1, ec }
  end
  return { line1 - 1, 0, line2 - 1, #last_row }
end

--- `:'<,'>YinEval`: the text of the range read as forms.
function M.eval_range(line1, line2, on_done)
  local buf = vim.api.nvim_get_current_buf()
  return M.request(buf, 'selection', { range = M.command_range(buf, line1, line2) }, on_done)
end

local function refuse(message)
  vim.notify('yin: ' .. message, vim.log.levels.WARN)
end

--- Writes `;; => value` below the form's last line, indented as the form; replaces such a line
--- right below rather than adding another.
---@param buf integer
---@param result table
---@param encoding string
---@return boolean written
function M.write_comment(buf, result, encoding)
  if result.error then
    refuse('not commented: ' .. result.error.message)
    return false
  end
  local sr, sc, er = lsp.range_to_buffer(buf, result.range, encoding)
  local first = vim.api.nvim_buf_get_lines(buf, sr, sr + 1, false)[1] or ''
  local before = first:sub(1, sc)
  local indent = before:match('^%s*$') and before or string.rep(' ', vim.fn.strdisplaywidth(before))
  local line = indent .. ';; => ' .. (result.value or 'nil'):gsub('\n', ' ')
  local below = vim.api.nvim_buf_get_lines(buf, er + 1, er + 2, false)[1]
  local replace = below ~= nil and below:match('^%s*;; =>') ~= nil
  vim.api.nvim_buf_set_lines(buf, er + 1, replace and er + 2 or er + 1, false, { line })
  return true
end

local function unchanged(buf, tick, what)
  if vim.api.nvim_buf_get_changedtick(buf) ~= tick then
    refuse(('the buffer changed during the evaluation: not %s'):format(what))
    return false
  end
  return true
end

--- `:YinEvalComment` / `:YinEvalRootComment`: the form's value as a `;; =>` comment below it.
---@param scope 'form'|'topLevel'
function M.eval_comment(scope, on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.client(buf)
  return M.request(buf, scope, { position = cursor() }, function(result, tick)
    local written = client
      and unchanged(buf, tick, 'commented')
      and M.write_comment(buf, result, client.offset_encoding)
    if on_done then
      on_done(result, written)
    end
  end)
end

--- `:YinEvalReplace`: the innermost form at the cursor replaced by its value; refused when the
--- value is cut (the text would lose data) or the evaluation failed.
function M.eval_replace(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.client(buf)
  return M.request(buf, 'form', { position = cursor() }, function(result, tick)
    local replaced = false
    if result.error then
      refuse('not replaced: ' .. result.error.message)
    elseif result.truncated then
      refuse('not replaced: the value is cut (longer or deeper than eval.max_length/max_depth)')
    elseif client and unchanged(buf, tick, 'replaced') then
      local sr, sc, er, ec = lsp.range_to_buffer(buf, result.range, client.offset_encoding)
      vim.api.nvim_buf_set_text(buf, sr, sc, er, ec, vim.split(result.value or 'nil', '\n'))
      replaced = true
    end
    if on_done then
      on_done(result, replaced)
    end
  end)
end

--- `:YinInterrupt`: stops the running evaluation of the buffer's session and the queued ones.
function M.interrupt(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.client(buf) or lsp.any_client(buf)
  if not client then
    return refuse('no yin language server is running')
  end
  local params = lsp.client(buf) and { textDocument = vim.lsp.util.make_text_document_params(buf) }
    or vim.empty_dict()
  lsp.request(client, 'yin/session/interrupt', params, buf, function(result)
    local n = result and result.interrupted or 0
    echo(('yin: %d evaluation%s interrupted'):format(n, n == 1 and '' or 's'), 'WarningMsg')
    if on_done then
      on_done(n)
    end
  end)
end

--- `:YinSessionReset`: forgets the buffer's session (its definitions, its handles).
function M.reset(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.require_client(buf)
  if not client then
    return
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf) }
  lsp.request(client, 'yin/session/reset', params, buf, function()
    log.append_lines({ '; session reset' })
    echo('yin: session reset')
    if on_done then
      on_done()
    end
  end)
end

--- The lines `:YinSessionInfo` shows.
---@param info table `yin/session/info`'s result
---@return string[]
function M.describe_session(info)
  local lines = {
    'root: ' .. ((info.root ~= vim.NIL and info.root) or '(none)'),
    ('%d evaluations, %d handles, %d definitions loaded'):format(
      info.evaluations or 0,
      info.handles or 0,
      #(info.loaded or {})
    ),
  }
  for _, d in ipairs(info.loaded or {}) do
    local version = (d.version ~= nil and d.version ~= vim.NIL) and ('version ' .. d.version)
      or 'from disk'
    table.insert(lines, ('  %-24s %s  (%s)'):format(d.name, M.place(d) or d.uri, version))
  end
  return lines
end

--- `:YinSessionInfo`: what the buffer's session has loaded, in a scratch buffer.
function M.session_info(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.require_client(buf)
  if not client then
    return
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf) }
  lsp.request(client, 'yin/session/info', params, buf, function(info)
    local out = vim.fn.bufnr('^yin://session$')
    if out == -1 then
      out = vim.api.nvim_create_buf(false, true)
      vim.api.nvim_buf_set_name(out, 'yin://session')
      vim.bo[out].bufhidden = 'wipe'
      vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = out, desc = 'yin: close' })
    end
    vim.bo[out].modifiable = true
    vim.api.nvim_buf_set_lines(out, 0, -1, false, M.describe_session(info or {}))
    vim.bo[out].modifiable = false
    if vim.fn.bufwinid(out) == -1 then
      vim.cmd('botright split')
      vim.api.nvim_win_set_buf(0, out)
    end
    if on_done then
      on_done(info, out)
    end
  end)
end

--- `:YinTrace`: the last error's trace in the quickfix list.
function M.trace_to_quickfix()
  if #M.last_trace == 0 then
    return refuse('no error trace: no evaluation has failed with a position')
  end
  vim.fn.setqflist({}, ' ', { title = 'yin: error trace', items = M.last_trace })
  vim.cmd('copen')
end

--- The float's lines for a result: the value as cut, where to see all of it, the error and its
--- trace, the output, what was loaded first, the cost.
---@param result table
---@return string[]
function M.describe(result)
  local lines = {}
  if result.error then
    table.insert(lines, 'error: ' .. result.error.message)
    local place = M.place(result.error)
    if place then
      table.insert(lines, '  at ' .. place)
    end
    for _, frame in ipairs(result.error.trace or {}) do
      local p = M.place(frame)
      table.insert(lines, '  ' .. frame.description .. (p and ('  ' .. p) or ''))
    end
  else
    table.insert(lines, '```yin')
    vim.list_extend(lines, vim.split(result.value or 'nil', '\n', { plain = true }))
    table.insert(lines, '```')
    if result.truncated then
      table.insert(lines, 'The value is cut: `:YinInspect` browses all of it.')
    elseif result.handle then
      table.insert(lines, '`:YinInspect` browses it.')
    end
  end
  if result.output and result.output ~= '' then
    table.insert(lines, '')
    table.insert(lines, 'Output:')
    table.insert(lines, '```')
    vim.list_extend(lines, vim.split((result.output:gsub('\n$', '')), '\n', { plain = true }))
    table.insert(lines, '```')
  end
  if result.loaded and #result.loaded > 0 then
    local names = vim.tbl_map(function(d)
      return d.name
    end, result.loaded)
    table.insert(lines, '')
    table.insert(lines, 'Loaded first: ' .. table.concat(names, ', '))
  end
  table.insert(lines, '')
  table.insert(lines, ('%d steps, %d ms'):format(result.steps or 0, result.elapsedMs or 0))
  return lines
end

--- `:YinEvalShow`: the result under the cursor in a float.
---@return integer|nil float window
function M.show_float()
  local buf = vim.api.nvim_get_current_buf()
  local c = cursor()
  local result = M.result_at(buf, c[1], c[2])
  if not result then
    vim.notify('yin: no result here; evaluate the form first (:YinEvalForm)', vim.log.levels.INFO)
    return nil
  end
  local _, win = vim.lsp.util.open_floating_preview(M.describe(result), 'markdown', {
    border = 'rounded',
    focus_id = 'yin-eval',
  })
  return win
end

--- `:YinClear`: forget every result shown in the buffer, and its error marks.
function M.clear()
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  clear_marks(buf)
  if shown[buf] then
    shown[buf] = {}
  end
end

-- A server that stops never answers: what it was running is not running any more.
vim.api.nvim_create_autocmd('LspDetach', {
  group = vim.api.nvim_create_augroup('yin_eval_detach', { clear = true }),
  callback = function(ev)
    local id = ev.data and ev.data.client_id
    for key, entry in pairs(running) do
      if entry.client_id == id and entry.buf == ev.buf then
        running[key] = nil
      end
    end
    update_status()
  end,
})

--- `yin/eval`'s `$/progress` for our tokens: the status and the echo say where the load is.
vim.api.nvim_create_autocmd('LspProgress', {
  group = vim.api.nvim_create_augroup('yin_eval_progress', { clear = true }),
  callback = function(ev)
    local params = ev.data and ev.data.params
    local token = params and params.token
    if type(token) ~= 'string' or not token:match('^yin%-eval%-') then
      return
    end
    local value = params.value or {}
    for _, entry in pairs(running) do
      if entry.token == token then
        if value.kind == 'end' then
          entry.progress = nil
        else
          -- Neovim carries the `begin`'s title over to the reports.
          local title = value.title or 'yin: evaluating'
          entry.progress = value.message and (title .. ' ' .. value.message) or title
        end
      end
    end
    update_status()
    if value.kind ~= 'end' then
      echo(vim.g.yin_eval_status, 'MoreMsg')
    end
  end,
})

return M
