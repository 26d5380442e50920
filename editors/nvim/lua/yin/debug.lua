--- Stepping a form with `yin/debug/*`: one session at a time, its state drawn in a split
--- (status, control, continuation frames, environment, store, output) and the control range
--- highlighted in the source buffer.
local lsp = require('yin.lsp')

local M = {}

M.ns = vim.api.nvim_create_namespace('yin_debug')

--- The largest step count the server accepts in one request (docs/lsp.md).
local max_steps = 1000000

---@class yin.DebugSession
---@field id integer the server's session id
---@field client vim.lsp.Client
---@field source integer the source buffer
---@field view integer the split's buffer
---@field state table the last state received

---@type yin.DebugSession|nil
M.session = nil

local function range_text(session, range)
  if not range then
    return nil
  end
  local sr, sc, er, ec = lsp.range_to_buffer(session.source, range, session.client.offset_encoding)
  local ok, text = pcall(vim.api.nvim_buf_get_text, session.source, sr, sc, er, ec, {})
  if not ok then
    return nil
  end
  local joined = table.concat(text, ' '):gsub('%s+', ' ')
  if vim.fn.strchars(joined) > 60 then
    joined = vim.fn.strcharpart(joined, 0, 59) .. '…'
  end
  return joined, sr, sc
end

--- The split's lines for a state.
---@param session yin.DebugSession
---@return string[]
function M.render(session)
  local s = session.state
  local lines = {
    ('yin debug · session %d · step %d · %s'):format(session.id, s.step, s.status),
  }
  local control = s.control or {}
  local text, row, col = range_text(session, control.range)
  if text then
    table.insert(lines, ('Control: %s at %d:%d  %s'):format(control.kind, row + 1, col + 1, text))
  else
    table.insert(lines, ('Control: returning %s'):format(control.value or 'a value'))
  end
  if s.value then
    table.insert(lines, 'Value: ' .. s.value)
  end
  if s.error then
    table.insert(lines, 'Error: ' .. s.error)
  end
  table.insert(lines, '')
  local frames = #s.continuation == 1 and '1 frame' or (#s.continuation .. ' frames')
  table.insert(lines, ('Continuation (%s, innermost first)'):format(frames))
  for i, frame in ipairs(s.continuation) do
    local _, frow, fcol = range_text(session, frame.range)
    local where = frow and (' %d:%d'):format(frow + 1, fcol + 1) or ''
    table.insert(lines, ('  %d. %s%s  %s'):format(i, frame.kind, where, frame.description))
  end
  table.insert(lines, '')
  table.insert(lines, ('Environment (%d)'):format(#s.environment))
  for _, binding in ipairs(s.environment) do
    table.insert(lines, ('  %s = %s'):format(binding.name, binding.value))
  end
  table.insert(lines, '')
  table.insert(lines, ('Store (%d)'):format(#s.store))
  for _, cell in ipairs(s.store) do
    table.insert(lines, ('  %s = %s'):format(cell.name, cell.value))
  end
  if s.output and s.output ~= '' then
    table.insert(lines, '')
    table.insert(lines, 'Output')
    for _, line in ipairs(vim.split((s.output:gsub('\n$', '')), '\n', { plain = true })) do
      table.insert(lines, '  ' .. line)
    end
  end
  table.insert(lines, '')
  table.insert(lines, 's step · b back · c continue · q stop')
  return vim.tbl_map(function(l)
    return (l:gsub('\n', ' '))
  end, lines)
end

--- The split's buffer, made once per session.
local function view_buffer(session)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = 'hide' -- closing the split keeps it; the next step shows it again
  vim.bo[buf].filetype = 'yindebug'
  pcall(vim.api.nvim_buf_set_name, buf, ('yin://debug/%d'):format(session.id))
  local function map(lhs, fn)
    vim.keymap.set('n', lhs, fn, { buffer = buf, nowait = true })
  end
  map('s', function()
    M.step(vim.v.count1, false)
  end)
  map('b', function()
    M.step(vim.v.count1, true)
  end)
  map('c', M.continue)
  map('q', M.stop)
  return buf
end

local function show_view(session)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == session.view then
      return
    end
  end
  local config = require('yin.config').resolve()
  local current = vim.api.nvim_get_current_win()
  local size = config.debug.size and tostring(config.debug.size) or ''
  vim.cmd(
    (config.debug.split == 'vertical' and 'botright %svsplit' or 'botright %ssplit'):format(size)
  )
  vim.api.nvim_win_set_buf(0, session.view)
  vim.wo.wrap = false
  vim.wo.number = false
  vim.wo.relativenumber = false
  vim.wo.signcolumn = 'no'
  vim.api.nvim_set_current_win(current)
end

--- Draws the session's state: the split's text and the control range in the source.
---@param session yin.DebugSession
function M.draw(session)
  local lines = M.render(session)
  vim.bo[session.view].modifiable = true
  vim.api.nvim_buf_set_lines(session.view, 0, -1, false, lines)
  vim.bo[session.view].modifiable = false
  vim.api.nvim_buf_clear_namespace(session.view, M.ns, 0, -1)
  vim.hl.range(session.view, M.ns, 'Title', { 0, 0 }, { 0, -1 })
  for i, line in ipairs(lines) do
    if line:match('^%u%l+ %(') or line == 'Output' then
      vim.hl.range(session.view, M.ns, 'Title', { i - 1, 0 }, { i - 1, -1 })
    end
  end

  vim.api.nvim_buf_clear_namespace(session.source, M.ns, 0, -1)
  local range = session.state.control and session.state.control.range
  if not range and session.state.continuation[1] then
    -- A value is being returned: show where it goes, the innermost frame's form.
    range = session.state.continuation[1].range
  end
  if range then
    local sr, sc, er, ec =
      lsp.range_to_buffer(session.source, range, session.client.offset_encoding)
    local group = session.state.control.range and 'YinDebugControl' or 'YinDebugFrame'
    vim.api.nvim_buf_set_extmark(session.source, M.ns, sr, sc, {
      end_row = er,
      end_col = ec,
      hl_group = group,
      priority = 200,
    })
    for _, win in ipairs(vim.fn.win_findbuf(session.source)) do
      local top, bottom = vim.fn.line('w0', win) - 1, vim.fn.line('w$', win) - 1
      if sr < top or sr > bottom then
        vim.api.nvim_win_set_cursor(win, { sr + 1, sc })
      end
    end
  end
end

--- `:YinDebug`: start stepping the top-level form at the cursor.
---@param on_done? fun(session: yin.DebugSession)
function M.start(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.require_client(buf)
  if not client then
    return
  end
  if M.session then
    M.stop()
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local params = lsp.position_params(buf, cursor[1] - 1, cursor[2], client)
  lsp.request(client, 'yin/debug/start', params, buf, function(result)
    if not result then
      return
    end
    local session = { id = result.session, client = client, source = buf, state = result.state }
    session.view = view_buffer(session)
    M.session = session
    show_view(session)
    M.draw(session)
    if on_done then
      on_done(session)
    end
  end)
end

local function require_session()
  if not M.session then
    vim.notify('yin: no debugging session; start one with :YinDebug', vim.log.levels.WARN)
  end
  return M.session
end

--- `:YinStep [count]` and `:YinBack [count]`.
---@param count integer
---@param back boolean
---@param on_done? fun(state: table)
function M.step(count, back, on_done)
  local session = require_session()
  if not session then
    return
  end
  local params = { session = session.id, count = count, back = back }
  lsp.request(session.client, 'yin/debug/step', params, session.source, function(result)
    if M.session ~= session or not result then
      return
    end
    if
      not (vim.api.nvim_buf_is_valid(session.source) and vim.api.nvim_buf_is_valid(session.view))
    then
      -- The source or the split's buffer is gone: nothing left to draw on.
      return M.stop()
    end
    session.state = result.state
    show_view(session)
    M.draw(session)
    if on_done then
      on_done(result.state)
    end
  end)
end

--- `:YinContinue`: run until the form is done, parks or fails (at most a million steps per
--- request, the server's bound; continue again past it).
---@param on_done? fun(state: table)
function M.continue(on_done)
  M.step(max_steps, false, function(state)
    if state.status == 'paused' then
      vim.notify(
        ('yin: still running after %d steps; :YinContinue goes on'):format(state.step),
        vim.log.levels.INFO
      )
    end
    if type(on_done) == 'function' then
      on_done(state)
    end
  end)
end

--- `:YinStop`: forget the session on the server, close the split, remove the highlight.
function M.stop()
  local session = M.session
  if not session then
    return
  end
  M.session = nil
  if not session.client:is_stopped() then
    session.client:request(
      'yin/debug/stop',
      { session = session.id },
      function() end,
      session.source
    )
  end
  if vim.api.nvim_buf_is_valid(session.source) then
    vim.api.nvim_buf_clear_namespace(session.source, M.ns, 0, -1)
  end
  for _, win in ipairs(vim.fn.win_findbuf(session.view)) do
    if #vim.api.nvim_list_wins() > 1 then
      vim.api.nvim_win_close(win, true)
    end
  end
  if vim.api.nvim_buf_is_valid(session.view) then
    vim.api.nvim_buf_delete(session.view, { force = true })
  end
end

return M
