-- Sets up one screen for tests/nvim/screenshots, in a real terminal Neovim, then writes the
-- file $YIN_SHOT_READY so the script captures the screen. $YIN_SHOT names the scene.
local root = vim.env.YIN_TEST_WORKSPACE
local scene = vim.env.YIN_SHOT

local function wait(cond)
  if not vim.wait(15000, cond, 50) then
    vim.fn.writefile(vim.split(vim.fn.execute('messages'), '\n'), vim.env.YIN_SHOT_READY .. '.log')
    error('timed out setting up ' .. scene)
  end
end

local function ready()
  vim.cmd('redraw!')
  vim.defer_fn(function()
    vim.fn.writefile({}, vim.env.YIN_SHOT_READY)
  end, 500)
end

local function cursor_on(text)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    local col = line:find(text, 1, true)
    if col then
      vim.api.nvim_win_set_cursor(0, { i, col - 1 })
      return
    end
  end
end

vim.cmd.cd(root)
vim.diagnostic.config({ virtual_text = true })
vim.o.number = true
vim.o.signcolumn = 'yes'
vim.o.laststatus = 2
vim.o.showmode = false
vim.cmd.edit('program.yin')
local buf = vim.api.nvim_get_current_buf()
wait(function()
  return #vim.diagnostic.get(buf) > 0
end)

if scene == 'eval' then
  local eval = require('yin.eval')
  vim.cmd('YinEvalTop')
  wait(function()
    return #eval.virtual_texts(buf) >= 5
  end)
  cursor_on('(def answer')
  -- After startup: the float closes when the cursor moves, and startup moves it.
  vim.defer_fn(function()
    vim.cmd('YinEvalShow')
    ready()
  end, 300)
  return
elseif scene == 'debug' then
  local debug = require('yin.debug')
  cursor_on('(let [unused')
  vim.cmd('YinDebug')
  wait(function()
    return debug.session
  end)
  local step = debug.session.state.step
  vim.cmd('5YinStep')
  wait(function()
    return debug.session.state.step == step + 5
  end)
elseif scene == 'query' then
  vim.cmd(
    'YinQuery [:find ?name (count ?call) :where [?call :yin/operator ?op] [?op :yin/name ?name]]'
  )
  wait(function()
    return vim.fn.bufnr('yin://query') ~= -1
  end)
end
ready()
