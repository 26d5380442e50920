--- Starting `yin lsp` for a buffer, finding its client, sending the custom requests
--- (docs/lsp.md; `server/yin/src/lsp/ext.rs` is the contract) and converting their ranges to
--- buffer positions. Knows nothing of how results are shown.
local M = {}

M.name = 'yin'

local missing_reported = false

--- The workspace root: the nearest folder above `buf`'s file holding one of the markers.
---@param buf integer
---@param markers string[]
---@return string|nil
function M.root(buf, markers)
  return vim.fs.root(buf, markers)
end

--- Starts the client for `buf`, or attaches it to the running one for the same root.
---@param buf integer
---@param config yin.Config
---@return integer|nil client id
function M.start(buf, config)
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    if not missing_reported then
      missing_reported = true
      local message = (
        'yin: `%s` is not an executable: install yin (scripts/setup in its repository) or set '
        .. 'vim.g.yin = { cmd = { "/path/to/yin", "lsp" } }. :checkhealth yin tells more.'
      ):format(config.cmd[1])
      -- Scheduled: see config.resolve().
      vim.schedule(function()
        vim.notify(message, vim.log.levels.ERROR)
      end)
    end
    return nil
  end
  return vim.lsp.start({
    name = M.name,
    cmd = config.cmd,
    root_dir = M.root(buf, config.root_markers),
    on_init = function(client)
      -- The server both publishes diagnostics and answers pulls (docs/lsp.md). Neovim 0.11 keeps
      -- pushed and pulled diagnostics in separate namespaces, so each finding would show twice.
      -- Pushes are kept: they also come when rule files change, which pulls only see on an edit.
      client.server_capabilities.diagnosticProvider = nil
    end,
  }, { bufnr = buf })
end

---@param buf integer
---@return vim.lsp.Client|nil
function M.client(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = M.name })[1]
end

--- A yin client for `buf`, or any running one when `buf` has none (a query typed in an `.edn`
--- buffer still has a server to run on).
---@param buf integer
---@return vim.lsp.Client|nil
function M.any_client(buf)
  return M.client(buf) or vim.lsp.get_clients({ name = M.name })[1]
end

--- The client for `buf`, or nil after telling the user why there is none.
---@param buf integer
---@return vim.lsp.Client|nil
function M.require_client(buf)
  local client = M.client(buf)
  if not client then
    vim.notify('yin: no yin language server is attached to this buffer', vim.log.levels.WARN)
  end
  return client
end

--- Sends `method` and calls `on_result(result)` on success; errors are shown to the user.
---@param client vim.lsp.Client
---@param method string
---@param params table
---@param buf integer
---@param on_result fun(result: any)
function M.request(client, method, params, buf, on_result)
  client:request(method, params, function(err, result)
    if err then
      vim.notify(
        ('yin: %s failed: %s'):format(method, err.message or vim.inspect(err)),
        vim.log.levels.ERROR
      )
      return
    end
    on_result(result)
  end, buf)
end

---@param buf integer
---@param row integer 0-based
---@param col integer 0-based byte column
---@param client vim.lsp.Client
---@return table `{textDocument, position}`
function M.position_params(buf, row, col, client)
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''
  col = math.min(col, #line)
  local character = client.offset_encoding == 'utf-8' and col
    or vim.str_utfindex(line, client.offset_encoding, col, false)
  return {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    position = { line = row, character = character },
  }
end

--- An LSP position as a 0-based (row, byte column) of `buf`, clamped to the buffer.
---@param buf integer
---@param position { line: integer, character: integer }
---@param encoding string
---@return integer row, integer col
function M.to_buffer(buf, position, encoding)
  local count = vim.api.nvim_buf_line_count(buf)
  if position.line >= count then
    local last = vim.api.nvim_buf_get_lines(buf, count - 1, count, false)[1] or ''
    return count - 1, #last
  end
  local line = vim.api.nvim_buf_get_lines(buf, position.line, position.line + 1, false)[1] or ''
  local col = encoding == 'utf-8' and position.character
    or vim.str_byteindex(line, encoding, position.character, false)
  return position.line, math.min(col, #line)
end

--- An LSP range as buffer positions: start row, start col, end row, end col (end exclusive).
---@param buf integer
---@param range { start: table, ['end']: table }
---@param encoding string
---@return integer, integer, integer, integer
function M.range_to_buffer(buf, range, encoding)
  local sr, sc = M.to_buffer(buf, range.start, encoding)
  local er, ec = M.to_buffer(buf, range['end'], encoding)
  return sr, sc, er, ec
end

return M
