-- A small harness for the Neovim tests: named cases, assertions with clear messages, waiting on
-- the language server, and the exit status (non-zero when any case failed).
local M = {}

local failures = 0
local passed = 0
M.root = assert(vim.env.YIN_TEST_WORKSPACE, 'YIN_TEST_WORKSPACE is not set (run tests/nvim/run)')
M.script = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h')

--- Notifications are kept, and printed with a failed case's message.
M.messages = {}
vim.notify = function(msg, level)
  table.insert(M.messages, { msg = msg, level = level })
end

local function say(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

--- Runs one case; a failed assertion fails it and the file goes on with the next case.
function M.test(name, fn)
  M.messages = {}
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    say('  ok    ' .. name)
  else
    failures = failures + 1
    say('  FAIL  ' .. name .. '\n' .. tostring(err):gsub('\n', '\n        '))
    for _, m in ipairs(M.messages) do
      say('        notified: ' .. m.msg)
    end
  end
end

function M.eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error(('%s: expected %s, got %s'):format(what, vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

function M.truthy(value, what)
  if not value then
    error(what, 2)
  end
  return value
end

--- Waits for `cond()` to return a truthy value and returns it; fails after `ms` with `what`.
function M.wait(what, cond, ms)
  local value
  local ok = vim.wait(ms or 10000, function()
    value = cond()
    return value and true or false
  end, 20)
  if not ok then
    error('timed out waiting for ' .. what, 2)
  end
  return value
end

--- Opens a workspace file and waits for the yin client to attach.
function M.open(name)
  vim.cmd.edit(vim.fs.joinpath(M.root, name))
  local buf = vim.api.nvim_get_current_buf()
  local client = M.wait('the yin client to attach to ' .. name, function()
    local c = vim.lsp.get_clients({ bufnr = buf, name = 'yin' })[1]
    return c and c.initialized and c
  end)
  return buf, client
end

--- Moves the cursor to the first occurrence of `text` in the buffer (1-based row, 0-based col).
function M.cursor_on(text)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i, line in ipairs(lines) do
    local col = line:find(text, 1, true)
    if col then
      vim.api.nvim_win_set_cursor(0, { i, col - 1 })
      return i - 1, col - 1
    end
  end
  error('no ' .. text .. ' in the buffer', 2)
end

--- Ends Neovim: status 0 when every case passed.
function M.finish()
  say(('  %d passed, %d failed'):format(passed, failures))
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop(true)
  end
  if failures > 0 or passed == 0 then
    vim.cmd('cquit 1')
  else
    vim.cmd('qall!')
  end
end

return M
