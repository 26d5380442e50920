-- yin buffers: Lisp editing options, then the language server, tree-sitter highlighting and
-- keymaps (lua/yin/init.lua `attach`).
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

vim.bo.commentstring = ';; %s'
vim.bo.comments = ':;;;;,:;;;,:;;,:;'
vim.bo.lisp = true
vim.bo.lispwords = table.concat({
  'def',
  'defn',
  'defmacro',
  'fn',
  'let',
  'loop',
  'if',
  'when',
  'when-not',
  'do',
  'cond',
  'call/cc',
}, ',')
-- Symbols like `stream/put!`, `->>`, `nil?` are one word.
vim.opt_local.iskeyword:append({
  '?',
  '-',
  '*',
  '!',
  '+',
  '/',
  '=',
  '<',
  '>',
  '.',
  ':',
  '$',
  '%',
  '&',
})
vim.b.undo_ftplugin = 'setlocal commentstring< comments< lisp< lispwords< iskeyword<'

if vim.fn.has('nvim-0.11') == 1 then
  require('yin').attach(vim.api.nvim_get_current_buf())
end
