-- Live evaluation against `yin lsp` (docs/lsp.md "Live evaluation"): each command, the cascade
-- cases of issue 15, interrupting a runaway evaluation, the inspector over a million elements,
-- errors as diagnostics, eval to comment, replace, the log.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
local eval = require('yin.eval')
local inspect = require('yin.inspect')

vim.cmd.cd(t.root)
local buf = t.open('live.yin')

local function texts()
  return vim.tbl_map(function(v)
    return v.text
  end, eval.virtual_texts(buf))
end

--- Runs `command` with the cursor on `text` and waits for its result.
local function run(command, text, offset)
  local row, col = t.cursor_on(text)
  vim.api.nvim_win_set_cursor(0, { row + 1, col + (offset or 0) })
  local result
  local before = eval.last
  vim.cmd(command)
  t.wait(command .. ' on ' .. text, function()
    result = eval.last ~= before and eval.last and eval.last.result
    return result
  end)
  return result, row
end

t.test('a failing form above does not matter: (/ 1 0) then (+ 1 2)', function()
  local result = run('YinEvalRoot', '(+ 1 2)')
  t.eq(result.error, nil, 'error')
  t.eq(result.value, '3', 'value')
  t.truthy(vim.tbl_contains(texts(), '=> 3'), vim.inspect(texts()))
end)

t.test("the failing form's own error: its range as a diagnostic in yin_eval", function()
  local result, row = run('YinEvalRoot', '(/ 1 0)')
  t.truthy(result.error, 'an error')
  local d = vim.diagnostic.get(buf, { namespace = vim.api.nvim_get_namespaces().yin_eval })
  t.eq(#d, 1, 'diagnostics')
  t.eq(d[1].lnum, row, 'line')
  t.truthy(d[1].message:find('division by zero', 1, true), d[1].message)
end)

t.test('the next evaluation clears it', function()
  run('YinEvalRoot', '(+ 1 2)')
  t.eq(vim.diagnostic.get(buf, { namespace = eval.diagnostic_ns }), {}, 'diagnostics')
end)

t.test(
  'an error inside a called function: marked where it failed, its trace in the log and the quickfix list',
  function()
    local first = vim.api.nvim_buf_line_count(buf)
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, {
      '(defn g [x] (/ x 0))',
      '(defn h [y] (+ 1 (g y)))',
      '(h 5)',
    })
    local result = run('YinEvalRoot', '(h 5)')
    t.eq(result.error.message, 'division by zero', 'message')
    local d = vim.diagnostic.get(buf, { namespace = eval.diagnostic_ns })
    t.eq(#d, 1, 'diagnostics')
    t.eq({ d[1].lnum, d[1].col }, { first, 12 }, 'at (/ x 0) in g')
    t.truthy(d[1].message:find('\nat ', 1, true), 'with the first trace line: ' .. d[1].message)
    vim.cmd('YinTrace')
    local qf = vim.fn.getqflist()
    t.truthy(#qf >= 3, 'the error and its frames: ' .. #qf)
    t.eq({ qf[#qf].lnum, qf[#qf].col }, { first + 2, 18 }, 'the outermost frame, in h')
    vim.cmd('cclose')
    local log = require('yin.log')
    local win = log.open(false)
    vim.api.nvim_set_current_win(win)
    vim.fn.search('in calling /, in g', 'bw')
    vim.api.nvim_feedkeys(vim.keycode('<CR>'), 'xt', false)
    t.eq(vim.api.nvim_get_current_buf(), buf, 'in the source')
    t.eq(vim.api.nvim_win_get_cursor(0), { first + 1, 12 }, 'at the frame')
    log.close()
    vim.api.nvim_buf_set_lines(buf, first, -1, false, {})
  end
)

t.test(':YinEvalForm evaluates the innermost form, :YinEvalRoot the top-level one', function()
  local inner = run('YinEvalForm', '(+ 1 2))')
  t.eq(inner.value, '3', 'innermost')
  local root = run('YinEvalRoot', '(+ 1 2))')
  t.eq(root.value, '6', 'top-level (twice loaded on demand)')
  t.truthy(
    vim.tbl_contains(
      vim.tbl_map(function(d)
        return d.name
      end, root.loaded or {}),
      'twice'
    ) or root.loaded and #root.loaded == 0,
    'loaded: ' .. vim.inspect(root.loaded)
  )
end)

t.test('a form depending on a failing definition names it', function()
  local result = run('YinEvalRoot', '(uses-broken)')
  t.truthy(result.error, 'an error')
  t.truthy(result.error.message:find('while loading `broken`', 1, true), result.error.message)
end)

t.test('forms inside (comment ...) are top-level forms', function()
  local result = run('YinEvalRoot', '(twice 21)')
  t.eq(result.value, '42', 'value')
end)

t.test(":'<,'>YinEval evaluates a visual selection", function()
  local row, col = t.cursor_on('(+ 1 2))')
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  local before = eval.last
  vim.api.nvim_feedkeys('v6l:YinEval\r', 'xt', false)
  local result = t.wait('the selection', function()
    return eval.last ~= before and eval.last and eval.last.result
  end)
  t.eq(result.value, '3', 'value')
end)

t.test(
  'a runaway evaluation: Neovim stays responsive, :YinInterrupt stops it, the session lives',
  function()
    require('yin').setup({ eval = { timeout_ms = 600000, max_steps = 10000000000 } })
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '(spin 0)' })
    vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(buf), 1 })
    local before = eval.last
    vim.cmd('YinEvalRoot')
    t.eq(eval.status(), 'yin: evaluating', 'status while it runs')
    local fired = 0
    local timer = vim.uv.new_timer()
    timer:start(10, 10, function()
      fired = fired + 1
    end)
    t.wait('a timer to fire 5 times during the evaluation', function()
      return fired >= 5
    end)
    timer:stop()
    timer:close()
    t.eq(eval.last, before, 'still running')
    vim.cmd('YinInterrupt')
    local result = t.wait('the interrupted result', function()
      return eval.last ~= before and eval.last and eval.last.result
    end, 5000)
    t.eq(result.interrupted, true, 'interrupted')
    t.eq(result.error.message, 'evaluation interrupted', 'message')
    t.eq(eval.status(), '', 'status after')
    require('yin').setup(nil)
    vim.api.nvim_buf_set_lines(buf, -2, -1, false, {})
    t.eq(run('YinEvalRoot', '(twice 21)').value, '42', 'the session after')
  end
)

t.test('the inspector pages through (range 1000000); Neovim holds one page', function()
  collectgarbage('collect')
  local lua_before = collectgarbage('count')
  local rss_before = vim.uv.resident_set_memory()
  local result = run('YinEvalRoot', '(range 1000000)')
  t.eq(result.truncated, true, 'truncated')
  t.truthy(#result.value <= 10100, 'value length ' .. #result.value)
  t.truthy(result.handle, 'a handle')
  vim.cmd('YinInspect')
  t.wait('the first page', function()
    local s = inspect.current()
    return s and s.page
  end)
  local header = vim.api.nvim_buf_get_lines(0, 0, 1, false)[1]
  t.truthy(header:find('^%a+ of 1000000, items 1%-100$'), 'header: ' .. header)
  vim.api.nvim_feedkeys(']]', 'xt', false)
  t.wait('page 3', function()
    return inspect.current().offset == 200 and inspect.current().page.offset == 200
  end)
  t.eq(vim.api.nvim_buf_get_lines(0, 3, 4, false)[1], '  [200] 200', 'first item of page 3')
  vim.api.nvim_feedkeys('[', 'xt', false)
  t.wait('page 2', function()
    return inspect.current().page.offset == 100
  end)
  inspect.close()
  collectgarbage('collect')
  local grown = collectgarbage('count') - lua_before
  t.truthy(grown < 1024, ('Lua memory grew by %d KiB'):format(grown))
  -- Before the live session this value grew Neovim by 615 MB.
  local rss = (vim.uv.resident_set_memory() - rss_before) / 2 ^ 20
  t.truthy(rss < 32, ('Neovim grew by %.1f MiB'):format(rss))
end)

t.test(':YinEvalComment writes ;; => below the form and replaces it the next time', function()
  local _, row = run('YinEvalComment', '(twice (+ 1 2))')
  t.eq(vim.api.nvim_buf_get_lines(buf, row + 1, row + 2, false)[1], ';; => 6', 'comment')
  run('YinEvalComment', '(twice (+ 1 2))')
  t.eq(vim.api.nvim_buf_get_lines(buf, row + 2, row + 3, false)[1], '', 'not stacked')
  vim.api.nvim_buf_set_lines(buf, row + 1, row + 2, false, {})
  local _, r2 = run('YinEvalRootComment', '(twice 21)')
  t.eq(vim.api.nvim_buf_get_lines(buf, r2 + 1, r2 + 2, false)[1], '  ;; => 42', 'indented')
  vim.api.nvim_buf_set_lines(buf, r2 + 1, r2 + 2, false, {})
end)

t.test(':YinEvalReplace replaces the form, refuses a cut value', function()
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '(twice (+ 1 2))' })
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_win_set_cursor(0, { last, 7 })
  local before = eval.last
  vim.cmd('YinEvalReplace')
  t.wait('the replacement', function()
    return vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] == '(twice 3)'
  end)
  t.truthy(eval.last ~= before, 'evaluated')
  t.messages = {}
  run('YinEvalReplace', '(range 1000000)')
  t.truthy(
    t.messages[1] and t.messages[1].msg:find('not replaced', 1, true),
    vim.inspect(t.messages)
  )
  t.truthy(
    vim.api.nvim_buf_get_lines(buf, 0, -1, false)[24]:find('(range 1000000)', 1, true),
    'kept'
  )
  vim.api.nvim_buf_set_lines(buf, last - 1, last, false, {})
end)

t.test(':YinEvalToCursor and :YinEvalFile run the forms in order, each reported', function()
  vim.cmd('YinClear')
  local result = run('YinEvalToCursor', '(defn twice')
  t.eq(#result.results, 2, 'forms before the cursor')
  t.truthy(result.results[1].error, 'the first fails')
  t.eq(result.results[2].value, '3', 'the second runs')
  result = run('YinEvalToCursor', '(println', 1)
  t.eq(result.output, 'hello from yin\n', 'the run went on past the failures')
  result = run('YinEvalFile', '(+ 1 2)')
  t.truthy(#result.results >= 1, 'results')
  t.truthy(result.results[1].error, 'the first form fails')
  t.eq(#texts() >= #result.results, true, 'each shown')
end)

t.test('the log: form, output, value or error with its trace; ls, lv, lq', function()
  local log = require('yin.log')
  run('YinEvalRoot', '(println "hello')
  local lines = vim.api.nvim_buf_get_lines(log.buffer(), 0, -1, false)
  t.truthy(vim.tbl_contains(lines, '; (out) hello from yin'), table.concat(lines, '\n'))
  t.truthy(vim.tbl_contains(lines, '; (println "hello from yin")'), 'the form')
  run('YinEvalRoot', '(/ 1 0)')
  lines = vim.api.nvim_buf_get_lines(log.buffer(), 0, -1, false)
  t.truthy(
    lines[#lines - 1]:find('^; error: ') or lines[#lines]:find('^;   '),
    table.concat(lines, '\n')
  )
  local wins = #vim.api.nvim_tabpage_list_wins(0)
  vim.api.nvim_feedkeys(vim.keycode('<localleader>ls'), 'xt', false)
  t.eq(#vim.api.nvim_tabpage_list_wins(0), wins + 1, 'a split')
  vim.api.nvim_feedkeys(vim.keycode('<localleader>lq'), 'xt', false)
  t.eq(#vim.api.nvim_tabpage_list_wins(0), wins, 'closed')
  vim.api.nvim_feedkeys(vim.keycode('<localleader>lv'), 'xt', false)
  local win = vim.fn.win_findbuf(log.buffer())[1]
  t.truthy(win, 'a window')
  t.eq(vim.api.nvim_win_get_height(win), vim.api.nvim_win_get_height(0), 'vertical')
  log.close()
end)

t.test(':YinSessionInfo lists what is loaded, :YinSessionReset forgets it', function()
  vim.cmd('YinSessionInfo')
  local out = t.wait('the info', function()
    local b = vim.fn.bufnr('^yin://session$')
    return b ~= -1 and b
  end)
  local text = table.concat(vim.api.nvim_buf_get_lines(out, 0, -1, false), '\n')
  t.truthy(text:find('twice', 1, true), text)
  vim.cmd('close')
  local reset = false
  eval.reset(function()
    reset = true
  end)
  t.wait('the reset', function()
    return reset
  end)
  local result = run('YinEvalRoot', '(twice 21)')
  t.eq(result.value, '42', 'loaded again on demand')
end)

t.finish()
