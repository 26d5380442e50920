--- The inspector: a float (or split, `eval.inspector`) browsing the value behind a server-side
--- handle one page at a time (`yin/inspect`), so a million-element value never comes to Neovim
--- whole. `<CR>` opens the item under the cursor, `<BS>` goes back, `]`/`[` page, `y` copies the
--- item's whole value (`yin/inspect/text`), `q` closes.
local config = require('yin.config')
local lsp = require('yin.lsp')

local M = {}

M.name = 'yin://inspect'

--- Lines above the items: the header, the path, the keys.
local HEADER = 3

---@class yin.InspectLevel
---@field handle integer
---@field title string
---@field offset integer
---@field page table|nil the last `yin/inspect` answer for this level
---@field want integer|nil the offset last asked for

---@type { client: vim.lsp.Client, buf: integer, win: integer|nil, stack: yin.InspectLevel[] }|nil
local state = nil

local function level()
  return state and state.stack[#state.stack]
end

local function one_line(s)
  return (s:gsub('\n', '\\n'))
end

--- The lines for a page.
---@param page table `yin/inspect`'s answer
---@param path string
---@param page_size integer
---@return string[]
function M.render(page, path, page_size)
  local n = #(page.items or {})
  local range = n > 0 and ('%d-%d'):format(page.offset + 1, page.offset + n) or 'none'
  local header
  if page.kind == 'string' then
    local chunk = page_size * 100
    header = ('string of %d characters, %d-%d'):format(
      page.count,
      page.offset + 1,
      math.min(page.offset + chunk, page.count)
    )
  elseif page.kind == 'fn' or page.kind == 'other' then
    header = page.kind
  else
    header = ('%s of %d, items %s'):format(page.kind, page.count, range)
  end
  local lines = {
    header,
    path,
    '<CR> open  <BS> back  ] next page  [ previous  y copy  q close',
  }
  for i, item in ipairs(page.items or {}) do
    local mark = item.handle and '▸ ' or '  '
    local label = item.key and (one_line(item.key) .. ' => ')
      or ('[' .. (page.offset + i - 1) .. '] ')
    table.insert(lines, mark .. label .. one_line(item.value))
  end
  if page.text then
    vim.list_extend(lines, vim.split(page.text, '\n', { plain = true }))
  end
  return lines
end

local function path()
  local names = {}
  for _, l in ipairs(state.stack) do
    table.insert(names, l.title)
  end
  return table.concat(names, ' > ')
end

local function draw()
  local l = level()
  if not (state and l and l.page and vim.api.nvim_buf_is_valid(state.buf)) then
    return
  end
  local lines = M.render(l.page, path(), config.resolve().eval.page_size)
  vim.bo[state.buf].modifiable = true
  vim.api.nvim_buf_set_lines(state.buf, 0, -1, false, lines)
  vim.bo[state.buf].modifiable = false
  if state.win and vim.api.nvim_win_is_valid(state.win) then
    local cfg = vim.api.nvim_win_get_config(state.win)
    if cfg.relative ~= '' then
      cfg.height = math.max(1, math.min(#lines, vim.o.lines - 6))
      vim.api.nvim_win_set_config(state.win, cfg)
    end
    local row = math.min(HEADER + 1, #lines)
    vim.api.nvim_win_set_cursor(state.win, { row, 0 })
  end
end

--- Asks for the current level's page at `offset`, then redraws.
local function fetch(offset, on_done)
  local l = level()
  if not l then
    return
  end
  local size = config.resolve().eval.page_size
  local params = { handle = l.handle, offset = offset, count = size }
  -- Keys pressed faster than the answers come move from the page last asked for; only its
  -- answer is drawn.
  l.want = offset
  lsp.request(state.client, 'yin/inspect', params, state.buf, function(page)
    if not page or level() ~= l or l.want ~= offset then
      return
    end
    l.offset, l.page = offset, page
    draw()
    if on_done then
      on_done(page)
    end
  end)
end

--- The item under the cursor, or nil on the header lines.
local function item_at_cursor()
  local l = level()
  if not (l and l.page and l.page.items) then
    return nil
  end
  local row = vim.api.nvim_win_get_cursor(0)[1]
  return l.page.items[row - HEADER], row - HEADER
end

--- `<CR>`: the item under the cursor, when it has a handle.
function M.open_item(on_done)
  local item, index = item_at_cursor()
  if not item then
    return
  end
  if not item.handle then
    vim.notify('yin: ' .. one_line(item.value) .. ' has nothing inside', vim.log.levels.INFO)
    return
  end
  local l = level()
  local title = item.key and one_line(item.key) or ('[' .. (l.offset + index - 1) .. ']')
  table.insert(state.stack, { handle = item.handle, title = title, offset = 0 })
  fetch(0, on_done)
end

--- `<BS>`: back to the parent value, at the page it was on.
function M.back()
  if state and #state.stack > 1 then
    table.remove(state.stack)
    draw()
  end
end

local function step(page)
  if page.kind == 'string' then
    return config.resolve().eval.page_size * 100
  end
  return config.resolve().eval.page_size
end

--- `]`: the next page.
function M.next_page(on_done)
  local l = level()
  if not (l and l.page) then
    return
  end
  local offset = (l.want or l.offset) + step(l.page)
  if offset >= l.page.count then
    vim.notify('yin: the last page', vim.log.levels.INFO)
    return
  end
  fetch(offset, on_done)
end

--- `[`: the previous page.
function M.prev_page(on_done)
  local l = level()
  local from = l and (l.want or l.offset)
  if not (l and l.page) or from == 0 then
    return
  end
  fetch(math.max(0, from - step(l.page)), on_done)
end

--- `y`: the whole value of the item under the cursor (on the header lines: the value shown)
--- into the unnamed and `+` registers.
function M.copy(on_done)
  local item = item_at_cursor()
  local handle = item and item.handle or (not item and level() and level().handle)
  local function store(text, truncated)
    vim.fn.setreg('"', text)
    -- Without a clipboard provider (a terminal over ssh, CI) `+` cannot be set: the unnamed
    -- register still has it.
    if vim.fn.has('clipboard') == 1 then
      pcall(vim.fn.setreg, '+', text)
    end
    vim.notify(
      ('yin: copied %d characters%s'):format(#text, truncated and ' (cut at 8 MiB)' or ''),
      vim.log.levels.INFO
    )
    if on_done then
      on_done(text)
    end
  end
  if not handle then
    if item then
      store(item.value, item.truncated)
    end
    return
  end
  lsp.request(state.client, 'yin/inspect/text', { handle = handle }, state.buf, function(r)
    if r then
      store(r.text, r.truncated)
    end
  end)
end

--- `q`: closes the inspector.
function M.close()
  if state and state.win and vim.api.nvim_win_is_valid(state.win) then
    vim.api.nvim_win_close(state.win, true)
  end
  state = nil
end

local function make_buffer()
  local buf = vim.fn.bufnr('^' .. M.name .. '$')
  if buf ~= -1 then
    return buf
  end
  buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, M.name)
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].modifiable = false
  local function map(lhs, fn, desc)
    vim.keymap.set('n', lhs, function()
      fn()
    end, { buffer = buf, desc = 'yin inspector: ' .. desc, nowait = true })
  end
  map('<CR>', M.open_item, 'open the item')
  map('<BS>', M.back, 'back')
  map(']', M.next_page, 'next page')
  map('[', M.prev_page, 'previous page')
  map('y', M.copy, 'copy the whole value')
  map('q', M.close, 'close')
  return buf
end

local function open_window(buf)
  if config.resolve().eval.inspector == 'split' then
    vim.cmd('botright split')
    local win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
    return win
  end
  local width = math.max(20, math.min(100, vim.o.columns - 4))
  return vim.api.nvim_open_win(buf, true, {
    relative = 'editor',
    row = 1,
    col = math.max(0, math.floor((vim.o.columns - width) / 2)),
    width = width,
    height = math.max(1, math.min(10, vim.o.lines - 6)),
    border = 'rounded',
    title = ' yin inspector ',
  })
end

--- Opens the inspector on `handle` (of `client`'s session), titled `title`.
---@param client vim.lsp.Client
---@param handle integer
---@param title string
---@param on_done? fun(page: table)
function M.open(client, handle, title, on_done)
  M.close()
  local buf = make_buffer()
  state = { client = client, buf = buf, stack = { { handle = handle, title = title, offset = 0 } } }
  state.win = open_window(buf)
  vim.wo[state.win].wrap = false
  vim.wo[state.win].cursorline = true
  fetch(0, on_done)
end

--- `:YinInspect`: the result under the cursor, else the last one.
---@param on_done? fun(page: table)
function M.inspect(on_done)
  local eval = require('yin.eval')
  local buf = vim.api.nvim_get_current_buf()
  local c = vim.api.nvim_win_get_cursor(0)
  local result = eval.result_at(buf, c[1] - 1, c[2])
  local from = buf
  if not result and eval.last then
    result, from = eval.last.result, eval.last.buf
  end
  if not result then
    vim.notify('yin: nothing to inspect: evaluate a form first', vim.log.levels.INFO)
    return
  end
  if not result.handle then
    local what = result.error and 'an error' or ('`' .. (result.value or 'nil') .. '`')
    vim.notify('yin: nothing to inspect: ' .. what .. ' has no parts', vim.log.levels.INFO)
    return
  end
  local client = vim.api.nvim_buf_is_valid(from) and lsp.client(from) or lsp.any_client(buf)
  if not client then
    vim.notify('yin: no yin language server is running', vim.log.levels.WARN)
    return
  end
  M.open(client, result.handle, 'value', on_done)
end

--- The inspector's state, for the tests: the handles' path and the page shown.
function M.current()
  local l = level()
  return l and { depth = #state.stack, page = l.page, offset = l.offset, win = state.win }
end

return M
