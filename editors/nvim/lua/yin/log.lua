--- The REPL log, as Conjure's: the scratch buffer `yin://log` holding each evaluation's form,
--- output, value or error with its trace (`file:line:col`, `<CR>` jumps there). Values are cut at
--- `eval.log_max_length` and the oldest lines dropped past `eval.log_max_lines`, so the log stays
--- small whatever is evaluated. Knows nothing of the LSP.
local config = require('yin.config')

local M = {}

M.name = 'yin://log'

---@type integer|nil
local log_buf = nil

local function cut(s, max)
  if #s > max then
    -- Whole characters only: the cut must not split a multibyte one.
    local kept = vim.fn.strcharpart(s, 0, vim.fn.strchars(s:sub(1, max)) - 1)
    return kept .. ' … (cut: :YinInspect shows it all)'
  end
  return s
end

--- The place under the cursor's line: its last `file:line:col`.
---@param line string
---@return string|nil file, integer|nil line, integer|nil col
function M.parse_place(line)
  local file, lnum, col
  for f, l, c in line:gmatch('(%S+):(%d+):(%d+)') do
    file, lnum, col = f, tonumber(l), tonumber(c)
  end
  return file, lnum, col
end

--- Opens the place on the cursor's line in the window the user came from (or a new split).
function M.jump()
  local file, lnum, col = M.parse_place(vim.api.nvim_get_current_line())
  if not file then
    return
  end
  local log_win = vim.api.nvim_get_current_win()
  vim.cmd('wincmd p')
  if vim.api.nvim_get_current_win() == log_win then
    vim.cmd('aboveleft split')
  end
  -- The buffer, not `:edit`: the file may be open and modified (`:edit` would reload it, E37).
  local target = vim.fn.bufadd(vim.fn.fnamemodify(file, ':p'))
  vim.bo[target].buflisted = true
  vim.api.nvim_win_set_buf(0, target)
  local last = vim.api.nvim_buf_line_count(0)
  vim.api.nvim_win_set_cursor(0, { math.min(lnum, last), math.max(col - 1, 0) })
end

--- The log buffer, made on first use.
---@return integer
function M.buffer()
  if log_buf and vim.api.nvim_buf_is_valid(log_buf) then
    return log_buf
  end
  log_buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(log_buf, M.name)
  local bo = vim.bo[log_buf]
  bo.buftype = 'nofile'
  bo.bufhidden = 'hide'
  bo.swapfile = false
  bo.undolevels = -1
  -- Clojure's syntax reads yin's values and `;` comments; the `yin` filetype would start a
  -- language server on the log.
  bo.syntax = 'clojure'
  vim.api.nvim_buf_set_lines(log_buf, 0, -1, false, { '; yin REPL log (:help yin-log)' })
  vim.keymap.set('n', '<CR>', M.jump, { buffer = log_buf, desc = 'yin: jump to the place' })
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = log_buf, desc = 'yin: close the log' })
  return log_buf
end

--- Appends lines, drops the oldest past the limit and keeps the windows showing the log at its
--- end (as a terminal would).
---@param lines string[]
function M.append_lines(lines)
  local buf = M.buffer()
  local max = config.resolve().eval.log_max_lines
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, lines)
  local count = vim.api.nvim_buf_line_count(buf)
  if count > max then
    vim.api.nvim_buf_set_lines(buf, 0, count - max, false, {})
    count = max
  end
  local current = vim.api.nvim_get_current_win()
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    if win ~= current then
      vim.api.nvim_win_set_cursor(win, { count, 0 })
    end
  end
end

local function place(uri, range)
  if not uri or not range then
    return nil
  end
  local name = vim.fn.fnamemodify(vim.uri_to_fname(uri), ':~:.')
  return ('%s:%d:%d'):format(name, range.start.line + 1, range.start.character + 1)
end

local function error_lines(out, err, max)
  table.insert(out, '; error: ' .. cut(err.message:gsub('\n', ' '), max))
  local at = place(err.uri, err.range)
  if at then
    table.insert(out, ';   at ' .. at)
  end
  for _, frame in ipairs(err.trace or {}) do
    local p = place(frame.uri, frame.range)
    table.insert(
      out,
      ';   in ' .. cut(frame.description:gsub('\n', ' '), max) .. (p and ('  ' .. p) or '')
    )
  end
end

local function value_lines(out, value, max)
  vim.list_extend(out, vim.split(cut(value or 'nil', max), '\n', { plain = true }))
end

--- The lines of one evaluation (exposed for the tests).
---@param entry { scope: string, file: string, form: string|nil, result: table }
---@return string[]
function M.format(entry)
  local max = config.resolve().eval.log_max_length
  local r = entry.result
  local uri = r.range and vim.uri_from_fname(vim.fn.fnamemodify(entry.file, ':p'))
  local where = place(uri, r.range) or entry.file
  local out = { ('; eval (%s) %s'):format(entry.scope, where) }
  if entry.form and entry.scope ~= 'file' and entry.scope ~= 'toCursor' then
    for _, line in ipairs(vim.split(cut(entry.form, max), '\n', { plain = true })) do
      table.insert(out, '; ' .. line)
    end
  end
  if r.loaded and #r.loaded > 0 then
    local names = vim.tbl_map(function(d)
      return d.name
    end, r.loaded)
    table.insert(out, '; loaded ' .. cut(table.concat(names, ', '), max))
  end
  if r.output and r.output ~= '' then
    for _, line in ipairs(vim.split((r.output:gsub('\n$', '')), '\n', { plain = true })) do
      table.insert(out, '; (out) ' .. cut(line, max))
    end
  end
  if r.results and #r.results > 1 then
    for _, one in ipairs(r.results) do
      local p = place(uri, one.range) or '?'
      if one.error then
        table.insert(out, ('; %s error: %s'):format(p, cut(one.error.message:gsub('\n', ' '), max)))
      else
        table.insert(out, ('; %s => %s'):format(p, cut(one.value or 'nil', max)))
      end
    end
  end
  if r.error then
    error_lines(out, r.error, max)
  else
    value_lines(out, r.value, max)
  end
  return out
end

--- Logs one evaluation.
---@param entry { scope: string, file: string, form: string|nil, result: table }
function M.append_result(entry)
  M.append_lines(M.format(entry))
end

--- `:YinLog` / `ls` / `lv`: the log in a split (`vertical`), unless a window shows it already.
---@param vertical boolean|nil
---@return integer window
function M.open(vertical)
  local buf = M.buffer()
  local wins = vim.fn.win_findbuf(buf)
  for _, win in ipairs(wins) do
    if vim.api.nvim_win_get_tabpage(win) == vim.api.nvim_get_current_tabpage() then
      return win
    end
  end
  local current = vim.api.nvim_get_current_win()
  vim.cmd(vertical and 'botright vsplit' or 'botright split')
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(win, buf)
  vim.wo[win].wrap = false
  vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  vim.api.nvim_set_current_win(current)
  return win
end

--- `lq`: closes the log's windows in this tab page.
function M.close()
  if not (log_buf and vim.api.nvim_buf_is_valid(log_buf)) then
    return
  end
  for _, win in ipairs(vim.fn.win_findbuf(log_buf)) do
    if
      vim.api.nvim_win_get_tabpage(win) == vim.api.nvim_get_current_tabpage()
      and #vim.api.nvim_tabpage_list_wins(0) > 1
    then
      vim.api.nvim_win_close(win, true)
    end
  end
end

return M
