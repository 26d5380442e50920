-- The yin commands and highlight groups. Modules load on first use, so this costs nothing at
-- startup; the language server starts when a yin buffer opens (ftplugin/yin.lua).
if vim.g.loaded_yin then
  return
end
vim.g.loaded_yin = true
if vim.fn.has('nvim-0.11') == 0 then
  vim.notify_once('yin: the plugin needs Neovim 0.11 or newer', vim.log.levels.WARN)
  return
end

local function highlights()
  for group, link in pairs({
    YinEvalValue = 'Comment',
    YinEvalError = 'DiagnosticError',
    YinDebugControl = 'IncSearch',
    YinDebugFrame = 'Visual',
  }) do
    vim.api.nvim_set_hl(0, group, { link = link, default = true })
  end
end
highlights()
-- A colour scheme starts with `:highlight clear`, which drops these links.
vim.api.nvim_create_autocmd('ColorScheme', {
  group = vim.api.nvim_create_augroup('yin_highlights', { clear = true }),
  callback = highlights,
})

local command = vim.api.nvim_create_user_command

command('YinEval', function()
  require('yin.eval').eval_at_cursor()
end, { desc = 'yin: evaluate the top-level form at the cursor' })
command('YinEvalTop', function()
  require('yin.eval').eval_buffer()
end, { desc = 'yin: evaluate every top-level form of the buffer' })
command('YinEvalShow', function()
  require('yin.eval').show_float()
end, { desc = 'yin: the whole result under the cursor in a float' })
command('YinClear', function()
  require('yin.eval').clear()
end, { desc = 'yin: clear the evaluation results' })
command('YinDebug', function()
  require('yin.debug').start()
end, { desc = 'yin: debug the top-level form at the cursor' })
command('YinStep', function(o)
  require('yin.debug').step(o.count > 0 and o.count or 1, false)
end, { count = true, desc = 'yin: step [count] times' })
command('YinBack', function(o)
  require('yin.debug').step(o.count > 0 and o.count or 1, true)
end, { count = true, desc = 'yin: step back [count] times' })
command('YinContinue', function()
  require('yin.debug').continue()
end, { desc = 'yin: run the debugged form to its end' })
command('YinStop', function()
  require('yin.debug').stop()
end, { desc = 'yin: stop debugging' })
command(
  'YinQuery',
  function(o)
    require('yin.query').run(o.args, o.bang)
  end,
  { nargs = '?', bang = true, desc = 'yin: run a Datalog query (! for the debugged machine state)' }
)
command('YinServerText', function()
  require('yin').server_text()
end, { desc = "yin: the language server's copy of the buffer" })
