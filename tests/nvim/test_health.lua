-- :checkhealth yin reports the binary and its version, the parser and a valid configuration,
-- with no ERROR; an invalid configuration is an ERROR there.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
vim.g.yin = { parser_path = vim.env.YIN_TEST_PARSER }

t.open('program.yin')

local function checkhealth()
  vim.cmd('silent checkhealth yin')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  vim.cmd('bwipeout')
  return text
end

t.test(':checkhealth yin has no ERROR', function()
  local text = checkhealth()
  t.truthy(not text:find('ERROR'), 'ERROR in:\n' .. text)
  t.truthy(text:find('OK Neovim 0.11', 1, true), 'Neovim version in:\n' .. text)
  t.truthy(text:find('OK [^\n]*yin: yin %d+%.%d+%.%d+'), 'binary version in:\n' .. text)
  t.truthy(text:find('OK parser installed', 1, true), 'parser in:\n' .. text)
  t.truthy(text:find('client %d+ running, root'), 'client in:\n' .. text)
end)

t.test(':checkhealth yin reports an invalid configuration', function()
  vim.g.yin = { keymaps = { prefix = 1 }, treesitter = 'yes' }
  local text = checkhealth()
  t.truthy(text:find('ERROR invalid', 1, true), 'ERROR in:\n' .. text)
  t.truthy(
    text:find('keymaps.prefix: expected string, got number', 1, true),
    'message in:\n' .. text
  )
  t.truthy(text:find('treesitter: expected boolean, got string', 1, true), 'message in:\n' .. text)
end)

t.test(':checkhealth yin reports a missing binary', function()
  vim.g.yin = { cmd = { 'yin-not-installed', 'lsp' } }
  local text = checkhealth()
  t.truthy(
    text:find('ERROR `yin-not-installed` not found', 1, true),
    'missing binary in:\n' .. text
  )
end)

t.test(':help yin works: the help file has valid, unique tags', function()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir .. '/doc', 'p')
  local help = vim.env.YIN_TEST_DIR .. '/../../editors/nvim/doc/yin.txt'
  vim.fn.writefile(vim.fn.readfile(help), dir .. '/doc/yin.txt')
  vim.cmd.helptags(dir .. '/doc') -- duplicate tags are an error (E154)
  vim.opt.rtp:append(dir)
  for _, tag in ipairs({ 'yin.txt', ':YinEval', ':YinDebug', ':YinQuery', 'g:yin', 'yin-parser' }) do
    vim.cmd.help(tag)
    t.eq(vim.fn.expand('%:t'), 'yin.txt', ':help ' .. tag)
    vim.cmd('close')
  end
end)

t.finish()
