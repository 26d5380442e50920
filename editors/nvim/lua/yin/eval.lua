--- Inline evaluation: `yin/eval` on the top-level form at the cursor (or on every top-level form
--- of the buffer), its value as virtual text after the form, the whole result in a float.
local lsp = require('yin.lsp')

local M = {}

M.ns = vim.api.nvim_create_namespace('yin_eval')

--- Results shown, per buffer, by the id of the extmark spanning the evaluated form, with the
--- form's text when it was evaluated.
---@type table<integer, table<integer, { mark: integer, result: table, text: string }>>
local shown = {}

--- Longer values are cut in the virtual text; the float shows them whole.
local max_inline = 60

local function one_line(s)
  s = s:gsub('%s*\n%s*', ' ')
  if vim.fn.strchars(s) > max_inline then
    s = vim.fn.strcharpart(s, 0, max_inline - 1) .. '…'
  end
  return s
end

--- The virtual text chunks for a result.
---@param result table
---@return table
function M.chunks(result)
  if result.error then
    return { { '=> error: ' .. one_line(result.error.message), 'YinEvalError' } }
  end
  return { { '=> ' .. one_line(result.value or 'nil'), 'YinEvalValue' } }
end

--- Removes a shown result whose form starts where `row, col` is.
local function forget_at(buf, row, col)
  for id, entry in pairs(shown[buf] or {}) do
    local pos = vim.api.nvim_buf_get_extmark_by_id(buf, M.ns, id, {})
    if pos[1] == row and pos[2] == col then
      vim.api.nvim_buf_del_extmark(buf, M.ns, id)
      vim.api.nvim_buf_del_extmark(buf, M.ns, entry.mark)
      shown[buf][id] = nil
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

--- Drops the results whose form was edited, as the server does (docs/lsp.md, inlayHint): a
--- value shown after a changed form would be a lie.
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

---@param buf integer
---@param result table `yin/eval`'s result
---@param encoding string
function M.show(buf, result, encoding)
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
    virt_text = M.chunks(result),
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
        if not best or inside or (s[1] > best_start[1]) then
          best, best_start = entry.result, s
        end
      end
    end
  end
  return best
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

--- `:YinEval`: the top-level form at the cursor.
---@param on_done? fun(result: table)
function M.eval_at_cursor(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.require_client(buf)
  if not client then
    return
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local params = lsp.position_params(buf, cursor[1] - 1, cursor[2], client)
  lsp.request(client, 'yin/eval', params, buf, function(result)
    if not result then
      return
    end
    M.show(buf, result, client.offset_encoding)
    if on_done then
      on_done(result)
    end
  end)
end

--- Where the next top-level form may start at or after (row, col): skips whitespace, commas and
--- `;` comments. Returns nil at the end of the buffer.
local function next_form_start(buf, row, col)
  local lines = vim.api.nvim_buf_get_lines(buf, row, -1, false)
  for i, line in ipairs(lines) do
    local from = i == 1 and col + 1 or 1
    local rest = line:sub(from)
    local offset = rest:find('[^%s,]')
    if offset and rest:sub(offset, offset) ~= ';' then
      return row + i - 1, from + offset - 2
    end
  end
  return nil
end

--- `:YinEvalTop`: every top-level form of the buffer, in order, each result after its form.
---@param on_done? fun(count: integer)
function M.eval_buffer(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.require_client(buf)
  if not client then
    return
  end
  local count = 0
  local function from(row, col)
    local r, c = next_form_start(buf, row, col)
    if not r then
      if on_done then
        on_done(count)
      end
      return
    end
    local params = lsp.position_params(buf, r, c, client)
    client:request('yin/eval', params, function(err, result)
      if err or not result then
        -- Not a form the server evaluates (a stray closing bracket, say): go on on the next line.
        return from(r + 1, 0)
      end
      count = count + 1
      M.show(buf, result, client.offset_encoding)
      local er, ec = lsp.to_buffer(buf, result.range['end'], client.offset_encoding)
      if er < r or (er == r and ec <= c) then
        return from(r + 1, 0)
      end
      from(er, ec)
    end, buf)
  end
  from(0, 0)
end

--- The float's lines for a result.
---@param result table
---@return string[]
function M.describe(result)
  local lines = {}
  if result.error then
    table.insert(lines, 'error: ' .. result.error.message)
  else
    table.insert(lines, '```yin')
    vim.list_extend(lines, vim.split(result.value or 'nil', '\n', { plain = true }))
    table.insert(lines, '```')
  end
  if result.output and result.output ~= '' then
    table.insert(lines, '')
    table.insert(lines, 'Output:')
    table.insert(lines, '```')
    vim.list_extend(lines, vim.split((result.output:gsub('\n$', '')), '\n', { plain = true }))
    table.insert(lines, '```')
  end
  table.insert(lines, '')
  table.insert(lines, ('%d steps'):format(result.steps or 0))
  return lines
end

--- `:YinEvalShow`: the whole result under the cursor in a float.
---@return integer|nil float window
function M.show_float()
  local buf = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  local result = M.result_at(buf, cursor[1] - 1, cursor[2])
  if not result then
    vim.notify('yin: no result here; evaluate the form first (:YinEval)', vim.log.levels.INFO)
    return nil
  end
  local _, win = vim.lsp.util.open_floating_preview(M.describe(result), 'markdown', {
    border = 'rounded',
    focus_id = 'yin-eval',
  })
  return win
end

--- `:YinClear`: forget every result shown in the buffer.
function M.clear()
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  if shown[buf] then
    shown[buf] = {}
  end
end

return M
