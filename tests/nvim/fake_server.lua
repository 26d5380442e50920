-- An in-process language server for the tests of the plugin's side of the live evaluation
-- protocol (docs/lsp.md "Live evaluation"): each case sets the answers it needs in `handlers`
-- and reads what the plugin sent in `requests`. Answers come on a later turn of the event loop,
-- as over stdio; a handler may keep its `reply` and answer later (a long evaluation).
local M = {}

--- `method -> fun(params, reply)`; `reply(err, result)`.
M.handlers = {}
--- Every request the plugin sent, in order: `{method, params}`.
M.requests = {}
--- The server's side: `notification(method, params)` sends one to the client.
M.dispatchers = nil

local defaults = {
  initialize = function(_, reply)
    reply(nil, { capabilities = { textDocumentSync = { openClose = true, change = 1 } } })
  end,
  shutdown = function(_, reply)
    reply(nil, vim.NIL)
  end,
}

--- The `cmd` for `vim.lsp.start`.
function M.cmd(dispatchers)
  M.dispatchers = dispatchers
  local next_id = 0
  local closing = false
  return {
    request = function(method, params, callback, notify_reply)
      next_id = next_id + 1
      local id = next_id
      table.insert(M.requests, { method = method, params = params })
      local handler = M.handlers[method] or defaults[method]
      vim.schedule(function()
        local function reply(err, result)
          callback(err, result)
          if notify_reply then
            notify_reply(id)
          end
        end
        if handler then
          handler(params, reply)
        else
          reply({ code = -32601, message = 'no handler for ' .. method }, nil)
        end
      end)
      return true, id
    end,
    notify = function()
      return true
    end,
    is_closing = function()
      return closing
    end,
    terminate = function()
      if not closing then
        closing = true
        -- As a server process's exit does.
        vim.schedule(function()
          dispatchers.on_exit(0, 15)
        end)
      end
    end,
  }
end

--- The last request of `method`, or nil.
function M.last(method)
  for i = #M.requests, 1, -1 do
    if M.requests[i].method == method then
      return M.requests[i].params
    end
  end
end

--- Makes the plugin start this server instead of `yin lsp` for the buffers opened next.
function M.install()
  require('yin.lsp').start = function(buf)
    return vim.lsp.start(
      { name = 'yin', cmd = M.cmd, root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(buf)) },
      { bufnr = buf }
    )
  end
end

--- An LSP range.
function M.range(sl, sc, el, ec)
  return { start = { line = sl, character = sc }, ['end'] = { line = el, character = ec } }
end

return M
