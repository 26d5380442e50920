--- `:YinQuery`: Datalog over the open documents' datoms (or a debugging session's machine state)
--- with `yin/query`, the rows drawn as a table in a scratch buffer.
local lsp = require('yin.lsp')

local M = {}

--- A value as `yin query --format json` writes it, back in EDN's printed form.
---@param v any
---@return string
function M.edn(v)
  if v == nil or v == vim.NIL then
    return 'nil'
  elseif type(v) == 'string' then
    return vim.json.encode(v)
  elseif type(v) ~= 'table' then
    return tostring(v)
  elseif vim.islist(v) then
    return '[' .. table.concat(vim.tbl_map(M.edn, v), ' ') .. ']'
  elseif v.symbol then
    return v.symbol
  elseif v.keyword then
    return ':' .. v.keyword
  elseif v.char then
    return '\\' .. v.char
  elseif v.float then
    return v.float
  elseif v.list then
    return '(' .. table.concat(vim.tbl_map(M.edn, v.list), ' ') .. ')'
  elseif v.set then
    return '#{' .. table.concat(vim.tbl_map(M.edn, v.set), ' ') .. '}'
  elseif v.map then
    local entries = vim.tbl_map(function(kv)
      return M.edn(kv[1]) .. ' ' .. M.edn(kv[2])
    end, v.map)
    return '{' .. table.concat(entries, ', ') .. '}'
  elseif v.tag then
    return '#' .. v.tag .. ' ' .. M.edn(v.value)
  end
  return vim.json.encode(v)
end

--- The result as aligned text lines: a header, a rule, one line per row, a count.
---@param result { columns: string[], rows: any[][] }
---@return string[]
function M.table_lines(result)
  local cells = { result.columns }
  for _, row in ipairs(result.rows) do
    table.insert(cells, vim.tbl_map(M.edn, row))
  end
  local widths = {}
  for _, row in ipairs(cells) do
    for i, cell in ipairs(row) do
      widths[i] = math.max(widths[i] or 0, vim.fn.strdisplaywidth(cell))
    end
  end
  local function line(row)
    local parts = {}
    for i, cell in ipairs(row) do
      local pad = i < #row and string.rep(' ', widths[i] - vim.fn.strdisplaywidth(cell)) or ''
      table.insert(parts, cell .. pad)
    end
    return table.concat(parts, ' │ ')
  end
  local lines = { line(cells[1]) }
  local rule = vim.tbl_map(function(w)
    return string.rep('─', w)
  end, widths)
  table.insert(lines, table.concat(rule, '─┼─'))
  for i = 2, #cells do
    table.insert(lines, line(cells[i]))
  end
  table.insert(lines, '')
  table.insert(lines, ('%d row%s'):format(#result.rows, #result.rows == 1 and '' or 's'))
  return lines
end

local results_buf = nil

--- Shows lines in the query results buffer (one, reused), in a split.
local function show(lines)
  if not (results_buf and vim.api.nvim_buf_is_valid(results_buf)) then
    results_buf = vim.api.nvim_create_buf(false, true)
    vim.bo[results_buf].bufhidden = 'hide'
    pcall(vim.api.nvim_buf_set_name, results_buf, 'yin://query')
    vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = results_buf, nowait = true })
  end
  vim.bo[results_buf].modifiable = true
  vim.api.nvim_buf_set_lines(results_buf, 0, -1, false, lines)
  vim.bo[results_buf].modifiable = false
  if #vim.fn.win_findbuf(results_buf) == 0 then
    vim.cmd('botright split')
    vim.api.nvim_win_set_buf(0, results_buf)
    vim.api.nvim_win_set_height(0, math.min(math.max(#lines, 3), 15))
    vim.wo.wrap = false
    vim.wo.number = false
    vim.wo.relativenumber = false
    vim.cmd('wincmd p')
  end
  return results_buf
end

--- The query text: the command's argument, else the current `.edn` buffer, else asked for.
local function query_text(args, on_text)
  if args and args ~= '' then
    return on_text(args)
  end
  local name = vim.api.nvim_buf_get_name(0)
  if name:match('%.edn$') or vim.bo.filetype == 'edn' then
    return on_text(table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n'))
  end
  vim.ui.input(
    { prompt = 'Datalog query: ', default = '[:find ?name :where [?e :yin/name ?name]]' },
    function(input)
      if input and input ~= '' then
        on_text(input)
      end
    end
  )
end

--- `:YinQuery[!] [query]`: with `!`, over the debugging session's machine state.
---@param args string
---@param on_session boolean
---@param on_done? fun(result: table, buf: integer)
function M.run(args, on_session, on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.any_client(buf)
  if not client then
    vim.notify(
      'yin: no yin language server is running; open a .yin file first',
      vim.log.levels.WARN
    )
    return
  end
  local session = require('yin.debug').session
  if on_session and not session then
    vim.notify(
      'yin: :YinQuery! queries a debugging session; start one with :YinDebug',
      vim.log.levels.WARN
    )
    return
  end
  query_text(args, function(text)
    local params = { query = text }
    if on_session then
      params.session = session.id
    end
    lsp.request(client, 'yin/query', params, buf, function(result)
      if not result then
        return
      end
      local out = show(M.table_lines(result))
      if on_done then
        on_done(result, out)
      end
    end)
  end)
end

return M
