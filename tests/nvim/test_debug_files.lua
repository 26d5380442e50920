-- Stepping into a function another file defines (helpers.yin, on disk and not open): the split
-- names that file (`helpers.yin:L:C`), the control highlight moves into its buffer (loaded with
-- bufadd/bufload), `<CR>` on a frame's line opens that file at the frame's code, and :YinStop
-- clears the highlight there.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
local debug = require('yin.debug')

local buf = t.open('steps.yin')
local helpers_path = vim.fs.joinpath(t.root, 'helpers.yin')

local function view_lines()
  return vim.api.nvim_buf_get_lines(debug.session.view, 0, -1, false)
end

local function marks(b)
  return vim.api.nvim_buf_get_extmarks(b, debug.ns, 0, -1, { details = true })
end

local function wait_step(n)
  t.wait('step ' .. n, function()
    return debug.session and debug.session.state.step == n
  end)
end

t.test(':YinDebug loads the callee from the file on disk', function()
  t.cursor_on('(inc (scaled')
  -- The server indexes the workspace's files in the background after starting: until it has,
  -- `scaled` is not found and the session lacks it; start again then.
  local function has_scaled()
    for _, cell in ipairs(debug.session.state.store) do
      if cell.name == 'scaled' then
        return true
      end
    end
    return false
  end
  local found = false
  for _ = 1, 100 do
    local before = debug.session and debug.session.id
    vim.cmd('YinDebug')
    t.wait('a new session', function()
      return debug.session and debug.session.id ~= before
    end)
    if has_scaled() then
      found = true
      break
    end
    vim.wait(100)
  end
  t.truthy(found, 'the session never loaded `scaled` from helpers.yin')
  t.eq(debug.session.state.step, 0, 'the step a session starts at')
  t.truthy(
    view_lines()[2]:find('Control: call at 2:1  (inc (scaled 3))', 1, true),
    'control line: ' .. view_lines()[2]
  )
end)

t.test(':YinStep into the callee names its file and highlights in its buffer', function()
  vim.cmd('2YinStep')
  wait_step(2)
  local lines = view_lines()
  t.truthy(
    lines[2]:find('Control: call at helpers.yin:6:3  (* 2 (add-two n))', 1, true),
    'control line: ' .. lines[2]
  )
  local helpers = vim.fn.bufnr(helpers_path)
  t.truthy(helpers ~= -1 and vim.api.nvim_buf_is_loaded(helpers), 'helpers.yin is loaded')
  local m = marks(helpers)
  t.eq(#m, 1, 'highlights in helpers.yin')
  t.eq(
    { m[1][2], m[1][3], m[1][4].end_row, m[1][4].end_col, m[1][4].hl_group },
    { 5, 2, 5, #'  (* 2 (add-two n))', 'YinDebugControl' },
    'the control highlight in helpers.yin'
  )
  t.eq(#marks(buf), 0, 'highlights left in steps.yin')
end)

t.test('<CR> on a frame in the callee opens it there', function()
  vim.cmd('YinStep')
  wait_step(3)
  local lines = view_lines()
  local frame
  for i, line in ipairs(lines) do
    if line:find('^  1%. args helpers%.yin:6:3  ') then
      frame = i
    end
  end
  t.truthy(frame, 'no frame at helpers.yin:6:3 in:\n' .. table.concat(lines, '\n'))
  t.truthy(
    table.concat(lines, '\n'):find('\n  2. args 2:1  ', 1, true),
    'the caller frame in steps.yin:\n' .. table.concat(lines, '\n')
  )
  local view_win = vim.fn.win_findbuf(debug.session.view)[1]
  vim.api.nvim_set_current_win(view_win)
  vim.api.nvim_win_set_cursor(view_win, { frame, 0 })
  vim.api.nvim_feedkeys(vim.keycode('<CR>'), 'x', false)
  t.eq(vim.api.nvim_buf_get_name(0), helpers_path, 'the buffer <CR> went to')
  t.eq(vim.api.nvim_win_get_cursor(0), { 6, 2 }, 'the cursor on the frame code')
  t.truthy(vim.api.nvim_get_current_win() ~= view_win, 'left the split')
end)

t.test(':YinStop clears the highlight in the other file', function()
  local helpers = vim.fn.bufnr(helpers_path)
  t.eq(#marks(helpers), 1, 'highlights in helpers.yin before stopping')
  vim.cmd('YinStop')
  t.eq(debug.session, nil, 'session')
  t.eq(#marks(helpers), 0, 'highlights left in helpers.yin')
end)

t.finish()
