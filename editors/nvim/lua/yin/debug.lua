--- Stepping a form with `yin/debug/*`: one session at a time, its state drawn in a split
--- (status, control, continuation frames, environment, store, output) and the control range
--- highlighted in the buffer of whichever file it is in: stepping into a function another file
--- defines moves the highlight into that file's buffer (loaded if need be), and `<CR>` on the
--- control's or a frame's line jumps there.
local lsp = require('yin.lsp')

local M = {}

M.ns = vim.api.nvim_create_namespace('yin_debug')

--- The largest step count the server accepts in one request (docs/lsp.md).
local max_steps = 1000000

-- The state `yin/debug/*` sends (docs/lsp.md, "Debugging"): these mirror server/yin/src/lsp/ext.rs.

---@class yin.DebugControl
---@field uri? string the file of the expression about to be evaluated; present exactly when `range` is
---@field range? lsp.Range the expression about to be evaluated, in `uri`; absent while a value is returned
---@field kind string the kind of code (`call`, `if`, ...), or `value`
---@field value? string the value being returned, when `kind` is `value`

---@class yin.DebugFrame
---@field kind string
---@field uri? string the file of the frame's code; present exactly when `range` is
---@field range? lsp.Range the frame's code, in `uri`
---@field description string

---@class yin.NamedValue
---@field name string
---@field value string

---@class yin.DebugState
---@field step integer steps since the form started
---@field status string `paused`, `parked`, `done` or `error`
---@field control yin.DebugControl
---@field value? string the form's value, when done
---@field error? string the message, when failed
---@field environment yin.NamedValue[]
---@field continuation yin.DebugFrame[] innermost first
---@field store yin.NamedValue[]
---@field output string what the program printed so far

---@class yin.DebugTarget
---@field buf integer the buffer of the file
---@field range lsp.Range

---@class yin.DebugSession
---@field id integer the server's session id
---@field client vim.lsp.Client
---@field source integer the source buffer
---@field view integer the split's buffer
---@field state yin.DebugState the last state received
---@field targets table<integer, yin.DebugTarget> the split's lines (1-based) that `<CR>` jumps from
---@field marked integer[] the buffers holding the control highlight

---@type yin.DebugSession|nil
M.session = nil

--- The buffer of the file `uri` names, loaded (`bufadd`, `bufload`); the source buffer for its
--- own file. `nil` for no URI or a file that cannot be loaded.
---@param session yin.DebugSession
---@param uri string|nil
---@return integer|nil
local function buffer_of(session, uri)
  if type(uri) ~= 'string' then
    return nil
  end
  if vim.api.nvim_buf_is_valid(session.source) and vim.uri_from_bufnr(session.source) == uri then
    return session.source
  end
  local ok, buf = pcall(function()
    local b = vim.fn.bufadd(vim.uri_to_fname(uri))
    vim.fn.bufload(b)
    return b
  end)
  return ok and buf or nil
end

--- A place's buffer, its text (one line, cut at 60 characters) and where it starts, with a label:
--- `L:C` in the source's own file, `file.yin:L:C` in another.
---@param session yin.DebugSession
---@param at { uri?: string, range?: lsp.Range }
---@return { buf: integer, text: string, row: integer, col: integer, label: string }|nil
local function place(session, at)
  -- A range without its `uri` would be in an unknown file: not shown rather than misplaced.
  if type(at.range) ~= 'table' then
    return nil
  end
  local buf = buffer_of(session, at.uri)
  if not buf then
    return nil
  end
  local sr, sc, er, ec = lsp.range_to_buffer(buf, at.range, session.client.offset_encoding)
  local ok, text = pcall(vim.api.nvim_buf_get_text, buf, sr, sc, er, ec, {})
  if not ok then
    return nil
  end
  local joined = table.concat(text, ' '):gsub('%s+', ' ')
  if vim.fn.strchars(joined) > 60 then
    joined = vim.fn.strcharpart(joined, 0, 59) .. '…'
  end
  local label = ('%d:%d'):format(sr + 1, sc + 1)
  if buf ~= session.source then
    label = vim.fs.basename(vim.api.nvim_buf_get_name(buf)) .. ':' .. label
  end
  return { buf = buf, text = joined, row = sr, col = sc, label = label }
end

--- The split's lines for a state.
---@param session yin.DebugSession
---@return string[]
function M.render(session)
  local s = session.state
  local lines = {
    ('yin debug · session %d · step %d · %s'):format(session.id, s.step, s.status),
  }
  session.targets = {}
  local control = s.control or {}
  local at = place(session, control)
  if at then
    table.insert(lines, ('Control: %s at %s  %s'):format(control.kind, at.label, at.text))
    session.targets[#lines] = { buf = at.buf, range = control.range }
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
    local fat = place(session, frame)
    local where = fat and (' ' .. fat.label) or ''
    table.insert(lines, ('  %d. %s%s  %s'):format(i, frame.kind, where, frame.description))
    if fat then
      session.targets[#lines] = { buf = fat.buf, range = frame.range }
    end
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
  table.insert(lines, 's step · b back · c continue · q stop · <CR> go to the code')
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
  map('<CR>', function()
    M.jump(vim.api.nvim_win_get_cursor(0)[1])
  end)
  return buf
end

--- The window to show code in: one showing `buf`, else one showing the source, else the
--- window before the split's, else a new split.
---@param session yin.DebugSession
---@param buf integer
---@return integer
local function code_window(session, buf)
  for _, candidate in ipairs({ buf, session.source }) do
    local win = vim.fn.win_findbuf(candidate)[1]
    if win then
      return win
    end
  end
  local previous = vim.fn.win_getid(vim.fn.winnr('#'))
  if previous ~= 0 and vim.api.nvim_win_get_buf(previous) ~= session.view then
    return previous
  end
  vim.cmd('topleft split')
  return vim.api.nvim_get_current_win()
end

--- `<CR>` in the split: goes to the code of the control or frame on `line` (1-based), in its
--- file, opening that file in the source's window when no window shows it.
---@param line integer
function M.jump(line)
  local session = M.session
  local target = session and session.targets and session.targets[line]
  if not target then
    vim.notify('yin: this line has no place in the code', vim.log.levels.INFO)
    return
  end
  if not vim.api.nvim_buf_is_valid(target.buf) then
    vim.notify('yin: that file is no longer loaded; step again', vim.log.levels.WARN)
    return
  end
  local win = code_window(session, target.buf)
  vim.api.nvim_set_current_win(win)
  if vim.api.nvim_win_get_buf(win) ~= target.buf then
    vim.bo[target.buf].buflisted = true
    vim.api.nvim_win_set_buf(win, target.buf)
  end
  local row, col = lsp.to_buffer(target.buf, target.range.start, session.client.offset_encoding)
  vim.api.nvim_win_set_cursor(win, { row + 1, col })
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

--- Draws the session's state: the split's text, and the control range in its file's buffer.
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

  for _, buf in ipairs(session.marked or {}) do
    if vim.api.nvim_buf_is_valid(buf) then
      vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
    end
  end
  session.marked = {}
  local at = session.state.control
  local group = 'YinDebugControl'
  if type(at.range) ~= 'table' and session.state.continuation[1] then
    -- A value is being returned: show where it goes, the innermost frame's form.
    at = session.state.continuation[1]
    group = 'YinDebugFrame'
  end
  local buf = type(at.range) == 'table' and buffer_of(session, at.uri)
  if buf then
    local sr, sc, er, ec = lsp.range_to_buffer(buf, at.range, session.client.offset_encoding)
    vim.api.nvim_buf_set_extmark(buf, M.ns, sr, sc, {
      end_row = er,
      end_col = ec,
      hl_group = group,
      priority = 200,
    })
    session.marked = { buf }
    for _, win in ipairs(vim.fn.win_findbuf(buf)) do
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
    local session = {
      id = result.session,
      client = client,
      source = buf,
      state = result.state,
      targets = {},
      marked = {},
    }
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
  for _, marked in ipairs(session.marked) do
    if vim.api.nvim_buf_is_valid(marked) then
      vim.api.nvim_buf_clear_namespace(marked, M.ns, 0, -1)
    end
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
