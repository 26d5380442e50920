-- :YinDebug opens the split; :YinStep / :YinBack / :YinContinue redraw it and move the control
-- highlight in the source; :YinStop closes it.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
local debug = require('yin.debug')

local buf = t.open('program.yin')
local source_win = vim.api.nvim_get_current_win()

local function view_lines()
  return vim.api.nvim_buf_get_lines(debug.session.view, 0, -1, false)
end

--- The highlighted range in the source: {start row, start col, end row, end col, group}.
local function highlight()
  local marks = vim.api.nvim_buf_get_extmarks(buf, debug.ns, 0, -1, { details = true })
  t.eq(#marks, 1, 'highlight extmarks in the source')
  local m = marks[1]
  return { m[2], m[3], m[4].end_row, m[4].end_col, m[4].hl_group }
end

local function wait_step(n)
  t.wait(
    'step ' .. n .. ' (at ' .. tostring(debug.session and debug.session.state.step) .. ')',
    function()
      return debug.session and debug.session.state.step == n
    end
  )
end

local before, before_mark
-- Steps count from the form's start, though the file's earlier forms ran before it.
local start

t.test(
  ":YinDebug opens the split before the form's first step with the form highlighted",
  function()
    local row = t.cursor_on('(let [unused')
    vim.cmd('YinDebug')
    t.wait('the session', function()
      return debug.session
    end)
    local windows = vim.fn.win_findbuf(debug.session.view)
    t.eq(#windows, 1, 'windows showing the debug buffer')
    t.eq(vim.api.nvim_get_current_win(), source_win, 'the cursor stays in the source')
    before = view_lines()
    start = debug.session.state.step
    t.eq(start, 0, 'the step a session starts at')
    t.truthy(before[1]:find(('step %d · paused'):format(start), 1, true), 'header: ' .. before[1])
    t.truthy(
      before[2]:find('Control: let at ' .. (row + 1) .. ':1', 1, true),
      'control line: ' .. before[2]
    )
    before_mark = highlight()
    t.eq(before_mark, { row, 0, row + 1, #'  (fact 5))', 'YinDebugControl' }, 'control highlight')
  end
)

t.test(':YinStep redraws the split and moves the highlight', function()
  vim.cmd('YinStep')
  wait_step(start + 1)
  local after = view_lines()
  t.truthy(not vim.deep_equal(after, before), 'the split did not change')
  t.truthy(after[1]:find('step ' .. (start + 1), 1, true), 'header: ' .. after[1])
  local mark = highlight()
  t.truthy(
    not vim.deep_equal(mark, before_mark),
    'the highlight did not move: ' .. vim.inspect(mark)
  )
end)

t.test(':YinStep with a count shows the continuation, environment and store', function()
  vim.cmd('3YinStep')
  wait_step(start + 4)
  local text = table.concat(view_lines(), '\n')
  t.truthy(text:find('Control: call at 11:10  (fact (dec n))', 1, true), 'control:\n' .. text)
  t.truthy(
    text:find(
      'Continuation (1 frame, innermost first)\n  1. args 11:5  waiting for value 3 of 3 of a call',
      1,
      true
    ),
    'frames:\n' .. text
  )
  t.truthy(text:find('\n  n = 5\n', 1, true), 'the binding of n:\n' .. text)
  t.truthy(text:find('\n  fact = #<fn fact>\n', 1, true), 'the store:\n' .. text)
  t.truthy(text:find('Continuation (', 1, true), 'continuation section:\n' .. text)
  t.truthy(text:find('Environment (', 1, true), 'environment section:\n' .. text)
  t.truthy(text:find('Store (', 1, true), 'store section:\n' .. text)
end)

t.test(':YinQuery! queries the machine state', function()
  vim.cmd('YinQuery! [:find ?name ?value :where [?b :bind/name ?name] [?b :bind/value ?value]]')
  local lines = t.wait('the results', function()
    local qbuf = vim.fn.bufnr('yin://query')
    local l = qbuf ~= -1 and vim.api.nvim_buf_get_lines(qbuf, 0, -1, false)
    return l and #l > 0 and l
  end)
  t.eq(lines[3], 'n     │ "5"', 'the binding row in:\n' .. table.concat(lines, '\n'))
  t.eq(vim.api.nvim_get_current_win(), source_win, 'the cursor stays in the source')
  vim.api.nvim_win_close(vim.fn.win_findbuf(vim.fn.bufnr('yin://query'))[1], false)
end)

t.test(':YinBack steps back to the earlier state', function()
  vim.cmd('3YinBack')
  wait_step(start + 1)
  vim.cmd('YinBack')
  wait_step(start)
  t.eq(view_lines(), before, 'the split at the first step')
  t.eq(highlight(), before_mark, 'the highlight at the first step')
end)

t.test('a closed split comes back on the next step', function()
  vim.api.nvim_win_close(vim.fn.win_findbuf(debug.session.view)[1], false)
  vim.cmd('YinStep')
  wait_step(start + 1)
  t.eq(#vim.fn.win_findbuf(debug.session.view), 1, 'windows showing the debug buffer')
end)

t.test(':YinContinue runs to the value', function()
  vim.cmd('YinContinue')
  t.wait('done', function()
    return debug.session.state.status == 'done'
  end)
  local lines = view_lines()
  t.truthy(lines[1]:find('done', 1, true), 'header: ' .. lines[1])
  t.truthy(vim.tbl_contains(lines, 'Value: 120'), 'value line in:\n' .. table.concat(lines, '\n'))
end)

t.test(':YinStop closes the split and clears the highlight', function()
  local view = debug.session.view
  vim.cmd('YinStop')
  t.eq(debug.session, nil, 'session')
  t.eq(#vim.fn.win_findbuf(view), 0, 'windows showing the debug buffer')
  t.eq(#vim.api.nvim_buf_get_extmarks(buf, debug.ns, 0, -1, {}), 0, 'highlights left')
end)

t.finish()
