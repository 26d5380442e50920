-- The plugin's side of the live evaluation protocol against an in-process server that answers
-- as docs/lsp.md says (tests/nvim/fake_server.lua): what each command sends, and what it shows
-- for each shape of answer. test_eval.lua runs the same commands against `yin lsp`.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
local fake = dofile(vim.env.YIN_TEST_DIR .. '/fake_server.lua')
fake.install()
local eval = require('yin.eval')
local R = fake.range

require('yin').setup({ eval = { max_steps = 5000, timeout_ms = 700, inline_max_length = 20 } })
vim.cmd.cd(t.root)
local buf = t.open('program.yin')
local uri = vim.uri_from_bufnr(buf)

local function texts()
  return vim.tbl_map(function(v)
    return v.text
  end, eval.virtual_texts(buf))
end

local function answer(result)
  fake.handlers['yin/eval'] = function(_, reply)
    reply(
      nil,
      vim.tbl_extend('keep', result, { output = '', steps = 1, elapsedMs = 0, loaded = {} })
    )
  end
end

t.test(':YinEvalForm sends the cursor, scope "form", limits and print from the settings', function()
  local row, col = t.cursor_on('(dec n)')
  answer({ range = R(row, col, row, col + 7), value = '4', truncated = false })
  vim.cmd('YinEvalForm')
  t.wait('the value', function()
    return vim.tbl_contains(texts(), '=> 4')
  end)
  local p = fake.last('yin/eval')
  t.eq(p.scope, 'form', 'scope')
  t.eq(p.position, { line = row, character = col }, 'position')
  t.eq(p.limits, { steps = 5000, timeMs = 700, memoryMb = 256 }, 'limits')
  t.eq(p.print, { maxLength = 10000, maxDepth = 10 }, 'print')
  t.eq(p.textDocument.uri, uri, 'document')
  local flash = vim.api.nvim_buf_get_extmarks(buf, eval.flash_ns, 0, -1, { details = true })
  t.eq(#flash, 1, 'the evaluated form flashes')
  t.eq({ flash[1][2], flash[1][3], flash[1][4].end_col }, { row, col, col + 7 }, 'its range')
  t.wait('the flash to end', function()
    return #vim.api.nvim_buf_get_extmarks(buf, eval.flash_ns, 0, -1, {}) == 0
  end)
end)

t.test('long values are cut in the virtual text, the float points to the inspector', function()
  vim.cmd('YinClear')
  local row = t.cursor_on('(str "answer')
  answer({
    range = R(row, 0, row, 23),
    value = '[0 1 2 3 4 5 6 7 8 9 10 11 ...]',
    truncated = true,
    handle = 3,
  })
  vim.cmd('YinEvalRoot')
  t.wait('the value', function()
    return vim.tbl_contains(texts(), '=> [0 1 2 3 4 5 6 7 8 …')
  end)
  t.eq(fake.last('yin/eval').scope, 'topLevel', 'scope')
  local lines = eval.describe(eval.result_at(buf, row, 0))
  t.truthy(
    vim.tbl_contains(lines, 'The value is cut: `:YinInspect` browses all of it.'),
    vim.inspect(lines)
  )
end)

t.test(":'<,'>YinEval sends a charwise visual selection as the range (no E481)", function()
  local row = t.cursor_on('(square 7)')
  answer({ range = R(row, 12, row, 22), value = '49', truncated = false })
  vim.api.nvim_feedkeys('v' .. ('l'):rep(9) .. ':YinEval\r', 'xt', false)
  t.wait('the value', function()
    return vim.tbl_contains(texts(), '=> 49')
  end)
  local p = fake.last('yin/eval')
  t.eq(p.scope, 'selection', 'scope')
  t.eq(p.range, R(row, 12, row, 22), 'range')
end)

t.test('the visual key E evaluates the selection, linewise', function()
  local row = t.cursor_on('(defn square')
  answer({ range = R(row, 0, row + 2, 10), value = '#<fn square>', truncated = false })
  vim.api.nvim_feedkeys('Vjj' .. vim.keycode('<localleader>E'), 'xt', false)
  t.wait('the request', function()
    local p = fake.last('yin/eval')
    return p.scope == 'selection' and p.range.start.line == row
  end)
  t.eq(fake.last('yin/eval').range, R(row, 0, row + 2, 10), 'range: whole lines')
end)

t.test(
  'an error: the range as a diagnostic with the first trace line, the log, the quickfix list',
  function()
    local row = t.cursor_on('(* n (fact')
    answer({
      range = R(row, 4, row, 25),
      value = vim.NIL,
      truncated = false,
      error = {
        message = 'division by zero',
        uri = uri,
        range = R(row, 9, row, 24),
        trace = {
          { description = '(fact (dec n))', uri = uri, range = R(row, 9, row, 24) },
          { description = '(defn fact ...)', uri = uri, range = R(7, 0, 10, 26) },
        },
      },
    })
    vim.cmd('YinEvalForm')
    local d = t.wait('the diagnostic', function()
      return vim.diagnostic.get(buf, { namespace = eval.diagnostic_ns })[1]
    end)
    t.eq({ d.lnum, d.col, d.end_lnum, d.end_col }, { row, 9, row, 24 }, 'diagnostic range')
    t.eq(
      d.message,
      'division by zero\nat (fact (dec n))  program.yin:' .. (row + 1) .. ':10',
      'message'
    )
    t.eq(vim.api.nvim_get_namespaces().yin_eval, eval.diagnostic_ns, 'the namespace is yin_eval')
    local log = vim.api.nvim_buf_get_lines(require('yin.log').buffer(), 0, -1, false)
    t.truthy(
      vim.tbl_contains(log, ';   in (defn fact ...)  program.yin:8:1'),
      table.concat(log, '\n')
    )
    vim.cmd('YinTrace')
    local qf = vim.fn.getqflist()
    t.eq(#qf, 3, 'quickfix entries')
    t.eq({ qf[3].lnum, qf[3].col, qf[3].text }, { 8, 1, '(defn fact ...)' }, 'the outermost frame')
    vim.cmd('cclose')
  end
)

t.test('the next evaluation clears the error marks', function()
  local row = t.cursor_on('(str "answer')
  answer({ range = R(row, 0, row, 23), value = '"answer: 49"', truncated = false })
  vim.cmd('YinEvalForm')
  t.wait('the value', function()
    return vim.tbl_contains(texts(), '=> "answer: 49"')
  end)
  t.eq(vim.diagnostic.get(buf, { namespace = eval.diagnostic_ns }), {}, 'diagnostics')
end)

t.test('a long evaluation: never blocks, shows its status, :YinInterrupt stops it', function()
  local held
  fake.handlers['yin/eval'] = function(_, reply)
    held = reply
  end
  fake.handlers['yin/session/interrupt'] = function(_, reply)
    held(nil, {
      range = R(15, 0, 15, 23),
      value = vim.NIL,
      truncated = false,
      output = '',
      steps = 9,
      elapsedMs = 300,
      loaded = {},
      interrupted = true,
      error = { message = 'evaluation interrupted', trace = {} },
    })
    reply(nil, { interrupted = 1 })
  end
  t.cursor_on('(str "answer')
  vim.cmd('YinEvalRoot')
  t.wait('the request', function()
    return held
  end)
  t.eq(eval.status(), 'yin: evaluating', 'status while it runs')
  local fired = false
  vim.defer_fn(function()
    fired = true
  end, 10)
  t.wait('a timer during the evaluation', function()
    return fired
  end)
  vim.cmd('YinInterrupt')
  t.wait('the interrupted result', function()
    return vim.tbl_contains(texts(), '=> evaluation interrup…')
  end)
  t.eq(fake.last('yin/session/interrupt').textDocument.uri, uri, 'interrupt names the document')
  t.eq(vim.g.yin_eval_status, '', 'status after')
end)

t.test(
  ':YinEvalFile sends scope "file" with a progress token and shows each form and the progress',
  function()
    vim.cmd('YinClear')
    local held, params
    fake.handlers['yin/eval'] = function(p, reply)
      held, params = reply, p
    end
    vim.cmd('YinEvalFile')
    t.wait('the request', function()
      return held
    end)
    t.eq(params.scope, 'file', 'scope')
    t.eq(params.position, nil, 'no position')
    local token = t.truthy(params.workDoneToken, 'a workDoneToken')
    local client = vim.lsp.get_clients({ bufnr = buf, name = 'yin' })[1]
    local function progress(value)
      vim.lsp.handlers['$/progress'](
        nil,
        { token = token, value = value },
        { client_id = client.id, method = '$/progress' }
      )
    end
    progress({ kind = 'begin', title = 'yin: evaluating program.yin', cancellable = true })
    progress({ kind = 'report', message = '2/5 answer', percentage = 40 })
    t.eq(eval.status(), 'yin: evaluating program.yin 2/5 answer', 'status with the progress')
    progress({ kind = 'end' })
    held(nil, {
      range = R(1, 0, 15, 23),
      value = '"answer: 49"',
      truncated = false,
      output = 'squaring 7\n',
      steps = 100,
      elapsedMs = 3,
      loaded = {},
      results = {
        { range = R(1, 0, 3, 10), value = '#<fn square>', truncated = false },
        { range = R(5, 0, 5, 23), value = '#<var answer>', truncated = false },
        {
          range = R(12, 0, 13, 11),
          value = vim.NIL,
          truncated = false,
          error = { message = 'boom', trace = {} },
        },
        { range = R(15, 0, 15, 23), value = '"answer: 49"', truncated = false },
      },
    })
    t.wait('four results', function()
      return #texts() == 4
    end)
    t.eq(
      texts(),
      { '=> #<fn square>', '=> #<var answer>', '=> error: boom', '=> "answer: 49"' },
      'texts'
    )
    local d = vim.diagnostic.get(buf, { namespace = eval.diagnostic_ns })
    t.eq(#d, 1, 'the failed form is marked')
    t.eq(d[1].lnum, 12, 'at its range')
  end
)

t.test(
  'a definition failing while loading from another file: marked there too, cleared next time',
  function()
    local second = vim.fn.bufadd(vim.fs.joinpath(t.root, 'second.yin'))
    vim.fn.bufload(second)
    local row = t.cursor_on('(str "answer')
    answer({
      range = R(row, 0, row, 23),
      value = vim.NIL,
      truncated = false,
      error = {
        message = 'while loading `greeting` (second.yin:2:1): boom',
        uri = vim.uri_from_bufnr(second),
        range = R(1, 0, 1, 22),
        loading = { name = 'greeting', uri = vim.uri_from_bufnr(second), range = R(1, 0, 1, 22) },
        trace = {},
      },
    })
    vim.cmd('YinEvalRoot')
    local here = t.wait('the mark here', function()
      return vim.diagnostic.get(buf, { namespace = eval.diagnostic_ns })[1]
    end)
    t.eq(here.lnum, row, 'at the evaluated form')
    local there = vim.diagnostic.get(second, { namespace = eval.diagnostic_ns })
    t.eq(#there, 1, 'marked in second.yin')
    t.eq(there[1].lnum, 1, 'at the definition')
    answer({ range = R(row, 0, row, 23), value = '"answer: 49"', truncated = false })
    vim.cmd('YinEvalRoot')
    t.wait('the marks cleared', function()
      return #vim.diagnostic.get(second, { namespace = eval.diagnostic_ns }) == 0
        and #vim.diagnostic.get(buf, { namespace = eval.diagnostic_ns }) == 0
    end)
  end
)

t.test('adjacent forms keep their own results when one is evaluated again', function()
  t.wait('the evaluations before', function()
    return eval.status() == ''
  end)
  vim.cmd('YinClear')
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '(a)(b)' })
  local row = vim.api.nvim_buf_line_count(buf) - 1
  answer({ range = R(row, 0, row, 3), value = '1', truncated = false })
  vim.api.nvim_win_set_cursor(0, { row + 1, 0 })
  vim.cmd('YinEvalForm')
  t.wait('the first', function()
    return #texts() == 1
  end)
  for _ = 1, 2 do
    answer({ range = R(row, 3, row, 6), value = '2', truncated = false })
    vim.api.nvim_win_set_cursor(0, { row + 1, 3 })
    vim.cmd('YinEvalForm')
    t.wait('the second', function()
      return #texts() == 2
    end)
  end
  t.eq(texts(), { '=> 1', '=> 2' }, 'texts')
  vim.api.nvim_buf_set_lines(buf, row, row + 1, false, {})
end)

t.test(':YinEvalTop is :YinEvalFile, :YinEvalToCursor sends the cursor', function()
  answer({ range = R(1, 0, 5, 23), value = '49', truncated = false })
  vim.cmd('YinEvalTop')
  t.wait('the request', function()
    return fake.last('yin/eval').scope == 'file'
  end)
  local row = t.cursor_on('(def answer')
  vim.cmd('YinEvalToCursor')
  t.wait('the request', function()
    return fake.last('yin/eval').scope == 'toCursor'
  end)
  t.eq(fake.last('yin/eval').position.line, row, 'position')
end)

t.test(
  ':YinEvalComment writes ;; => below the form, indented as it, and replaces it next time',
  function()
    local row = t.cursor_on('(fact 5)')
    answer({ range = R(row, 2, row, 10), value = '120', truncated = false })
    vim.cmd('YinEvalComment')
    t.wait('the comment', function()
      return vim.api.nvim_buf_get_lines(buf, row + 1, row + 2, false)[1] == '  ;; => 120'
    end)
    answer({ range = R(row, 2, row, 10), value = '720', truncated = false })
    vim.cmd('YinEvalComment')
    t.wait('the new comment', function()
      return vim.api.nvim_buf_get_lines(buf, row + 1, row + 2, false)[1] == '  ;; => 720'
    end)
    t.eq(vim.api.nvim_buf_get_lines(buf, row + 2, row + 3, false)[1], '', 'no second comment')
    vim.api.nvim_buf_set_lines(buf, row + 1, row + 2, false, {})
    t.eq(fake.last('yin/eval').scope, 'form', 'scope')
    row = t.cursor_on('(let [unused')
    answer({ range = R(row, 0, row + 1, 11), value = '120', truncated = false })
    vim.cmd('YinEvalRootComment')
    t.wait('the comment', function()
      return vim.api.nvim_buf_get_lines(buf, row + 2, row + 3, false)[1] == ';; => 120'
    end)
    t.eq(fake.last('yin/eval').scope, 'topLevel', 'scope')
    vim.api.nvim_buf_set_lines(buf, row + 2, row + 3, false, {})
  end
)

t.test(
  ':YinEvalReplace replaces the form; a cut value or an error is refused with a message',
  function()
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '(inc (+ 1 2))' })
    local row = vim.api.nvim_buf_line_count(buf) - 1
    vim.api.nvim_win_set_cursor(0, { row + 1, 5 })
    answer({ range = R(row, 5, row, 12), value = '[0 1 ...]', truncated = true, handle = 4 })
    vim.cmd('YinEvalReplace')
    t.wait('the refusal', function()
      return #t.messages > 0
    end)
    t.truthy(t.messages[1].msg:find('not replaced: the value is cut', 1, true), t.messages[1].msg)
    answer({ range = R(row, 5, row, 12), value = '3', truncated = false })
    vim.cmd('YinEvalReplace')
    t.wait('the replacement', function()
      return vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] == '(inc 3)'
    end)
    vim.api.nvim_buf_set_lines(buf, row, row + 1, false, {})
  end
)

t.test('the inspector pages through a million elements without holding them', function()
  local n = 1000000
  local function item(i)
    return { value = tostring(i), truncated = false }
  end
  fake.handlers['yin/inspect'] = function(p, reply)
    if p.handle == 7 then
      local items = {}
      for i = p.offset, math.min(p.offset + p.count, n) - 1 do
        table.insert(items, item(i))
      end
      items[1].handle = 8
      items[1].value = '[0 1]'
      reply(nil, { kind = 'list', count = n, offset = p.offset, items = items })
    elseif p.handle == 8 then
      reply(nil, { kind = 'vector', count = 2, offset = 0, items = { item(0), item(1) } })
    else
      reply({ code = -32602, message = 'unknown handle ' .. p.handle }, nil)
    end
  end
  fake.handlers['yin/inspect/text'] = function(p, reply)
    reply(nil, { text = p.handle == 8 and '[0 1]' or '(0 1 ...)', truncated = false })
  end
  local row = t.cursor_on('(str "answer')
  answer({ range = R(row, 0, row, 23), value = '(0 1 2 ...)', truncated = true, handle = 7 })
  vim.cmd('YinEvalRoot')
  t.wait('the value', function()
    return eval.result_at(buf, row, 0) and eval.result_at(buf, row, 0).handle == 7
  end)
  collectgarbage('collect')
  local before = collectgarbage('count')
  local inspect = require('yin.inspect')
  vim.cmd('YinInspect')
  local state = t.wait('the first page', function()
    local s = inspect.current()
    return s and s.page and s
  end)
  t.eq(vim.api.nvim_win_get_config(state.win).relative, 'editor', 'a float')
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  t.eq(lines[1], 'list of 1000000, items 1-100', 'header')
  t.eq(lines[5], '  [1] 1', 'an item')
  for _ = 1, 3 do
    vim.api.nvim_feedkeys(']', 'xt', false)
  end
  t.wait('page 4', function()
    return inspect.current().offset == 300
  end)
  vim.api.nvim_feedkeys('[', 'xt', false)
  t.wait('page 3', function()
    return inspect.current().offset == 200
  end)
  t.eq(vim.api.nvim_buf_get_lines(0, 0, 1, false)[1], 'list of 1000000, items 201-300', 'header')
  t.eq(fake.last('yin/inspect').count, 100, 'pages of eval.page_size')
  collectgarbage('collect')
  t.truthy(
    collectgarbage('count') - before < 2048,
    'Lua memory grew by ' .. (collectgarbage('count') - before) .. ' KiB'
  )
  -- The first item of the page has a handle: <CR> opens it, <BS> comes back.
  vim.api.nvim_win_set_cursor(0, { 4, 0 })
  vim.api.nvim_feedkeys(vim.keycode('<CR>'), 'xt', false)
  t.wait('the child', function()
    return inspect.current().depth == 2 and inspect.current().page
  end)
  t.eq(
    vim.api.nvim_buf_get_lines(0, 0, 2, false),
    { 'vector of 2, items 1-2', 'value > [200]' },
    'child header'
  )
  vim.api.nvim_feedkeys(vim.keycode('<BS>'), 'xt', false)
  t.eq(inspect.current().depth, 1, 'back')
  vim.api.nvim_win_set_cursor(0, { 4, 0 })
  vim.fn.setreg('"', '')
  vim.api.nvim_feedkeys('y', 'xt', false)
  t.wait('the copy', function()
    return vim.fn.getreg('"') == '[0 1]'
  end)
  t.eq(fake.last('yin/inspect/text'), { handle = 8 }, 'the item copied by its handle')
  vim.api.nvim_feedkeys('q', 'xt', false)
  t.eq(inspect.current(), nil, 'closed')
end)

t.test('the inspector as a split', function()
  require('yin').setup({ eval = { inspector = 'split' } })
  vim.cmd('YinInspect')
  local state = t.wait('the page', function()
    local s = require('yin.inspect').current()
    return s and s.page and s
  end)
  t.eq(vim.api.nvim_win_get_config(state.win).relative, '', 'a split')
  require('yin.inspect').close()
  require('yin').setup({ eval = { max_steps = 5000, timeout_ms = 700, inline_max_length = 20 } })
end)

t.test(':YinSessionInfo lists what the session loaded, :YinSessionReset resets it', function()
  fake.handlers['yin/session/info'] = function(_, reply)
    reply(nil, {
      root = t.root,
      evaluations = 3,
      handles = 2,
      loaded = { { name = 'square', uri = uri, range = R(1, 0, 3, 10), version = 4 } },
    })
  end
  fake.handlers['yin/session/reset'] = function(_, reply)
    reply(nil, vim.NIL)
  end
  vim.cmd('YinSessionInfo')
  local out = t.wait('the info', function()
    local b = vim.fn.bufnr('^yin://session$')
    return b ~= -1 and b
  end)
  local lines = vim.api.nvim_buf_get_lines(out, 0, -1, false)
  t.eq(lines[2], '3 evaluations, 2 handles, 1 definitions loaded', 'summary')
  t.truthy(lines[3]:find('square%s+program.yin:2:1  %(version 4%)'), lines[3])
  vim.cmd('close')
  vim.cmd('YinSessionReset')
  t.wait('the reset', function()
    return fake.last('yin/session/reset')
  end)
end)

t.test(
  'the log: values cut, the oldest lines dropped, <CR> on a trace entry jumps there',
  function()
    local log = require('yin.log')
    require('yin').setup({ eval = { log_max_lines = 100, log_max_length = 50 } })
    local row = t.cursor_on('(str "answer')
    answer({ range = R(row, 0, row, 23), value = ('x'):rep(5000), truncated = false })
    for _ = 1, 40 do
      vim.cmd('YinEvalRoot')
    end
    t.wait('the 40 evaluations', function()
      return eval.status() == ''
    end)
    local lines = vim.api.nvim_buf_get_lines(log.buffer(), 0, -1, false)
    t.eq(#lines, 100, 'lines kept')
    t.eq(lines[#lines], ('x'):rep(49) .. ' … (cut: :YinInspect shows it all)', 'the value cut')
    answer({
      range = R(row, 0, row, 23),
      value = vim.NIL,
      truncated = false,
      error = {
        message = 'boom',
        trace = { { description = '(square 7)', uri = uri, range = R(5, 12, 5, 22) } },
      },
    })
    vim.cmd('YinEvalRoot')
    t.wait('the error', function()
      local l = vim.api.nvim_buf_get_lines(log.buffer(), -2, -1, false)[1]
      return l == ';   in (square 7)  program.yin:6:13'
    end)
    local source = vim.api.nvim_get_current_win()
    local win = log.open(false)
    vim.api.nvim_set_current_win(win)
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(log.buffer()), 0 })
    vim.api.nvim_feedkeys(vim.keycode('<CR>'), 'xt', false)
    t.eq(vim.api.nvim_get_current_win(), source, 'back in the source window')
    t.eq(vim.api.nvim_win_get_cursor(0), { 6, 12 }, 'at the place')
    log.close()
    t.eq(#vim.fn.win_findbuf(log.buffer()), 0, 'closed')
    require('yin').setup({ eval = { max_steps = 5000, timeout_ms = 700, inline_max_length = 20 } })
  end
)

t.test('a request error is told, not thrown', function()
  fake.handlers['yin/eval'] = function(_, reply)
    reply(
      { code = -32602, message = 'limits.timeMs must be an integer from 1 to 600000, got -5' },
      nil
    )
  end
  vim.cmd('YinEvalForm')
  t.wait('the message', function()
    return #t.messages > 0
  end)
  t.truthy(t.messages[1].msg:find('limits.timeMs must be', 1, true), t.messages[1].msg)
  t.eq(eval.status(), '', 'nothing runs')
end)

t.test('a server that stops while evaluating leaves no evaluation running', function()
  local held
  fake.handlers['yin/eval'] = function(_, reply)
    held = reply
  end
  vim.cmd('YinEvalForm')
  t.wait('the request', function()
    return held
  end)
  t.eq(eval.status(), 'yin: evaluating', 'status while it runs')
  vim.lsp.get_clients({ bufnr = buf, name = 'yin' })[1]:stop(true)
  t.wait('the status cleared', function()
    return eval.status() == ''
  end)
end)

t.finish()
