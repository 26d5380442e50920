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
    YinEvalFlash = 'IncSearch',
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

local function eval()
  return require('yin.eval')
end

-- `:YinEval` keeps its meaning without a range (the top-level form); with one it is the
-- selection, so `:'<,'>YinEval` from visual mode works.
command('YinEval', function(o)
  if o.range > 0 then
    eval().eval_range(o.line1, o.line2)
  else
    eval().eval_root()
  end
end, { range = true, desc = 'yin: evaluate the selection (the top-level form without a range)' })
command('YinEvalForm', function(o)
  if o.range > 0 then
    eval().eval_range(o.line1, o.line2)
  else
    eval().eval_form()
  end
end, { range = true, desc = 'yin: evaluate the innermost form at the cursor' })
command('YinEvalRoot', function()
  eval().eval_root()
end, { desc = 'yin: evaluate the top-level form at the cursor' })
command('YinEvalToCursor', function()
  eval().eval_to_cursor()
end, { desc = 'yin: evaluate every top-level form from the start of the file to the cursor' })
command('YinEvalFile', function()
  eval().eval_file()
end, { desc = 'yin: evaluate (load) the whole file' })
-- The name before :YinEvalFile.
command('YinEvalTop', function()
  eval().eval_file()
end, { desc = 'yin: evaluate (load) the whole file (the old name of :YinEvalFile)' })
command('YinEvalComment', function()
  eval().eval_comment('form')
end, { desc = "yin: the innermost form's value as a ;; => comment below it" })
command('YinEvalRootComment', function()
  eval().eval_comment('topLevel')
end, { desc = "yin: the top-level form's value as a ;; => comment below it" })
command('YinEvalReplace', function()
  eval().eval_replace()
end, { desc = 'yin: replace the innermost form at the cursor with its value' })
command('YinInterrupt', function()
  eval().interrupt()
end, { desc = 'yin: stop the running evaluation' })
command('YinSessionReset', function()
  eval().reset()
end, { desc = 'yin: forget the live session (definitions, values)' })
command('YinSessionInfo', function()
  eval().session_info()
end, { desc = 'yin: what the live session has loaded' })
command('YinTrace', function()
  eval().trace_to_quickfix()
end, { desc = "yin: the last error's trace in the quickfix list" })
command('YinInspect', function()
  require('yin.inspect').inspect()
end, { desc = 'yin: browse the result under the cursor (or the last one)' })
command('YinLog', function(o)
  require('yin.log').open(o.smods.vertical)
end, { desc = 'yin: the REPL log in a split (:vert YinLog: a vertical one)' })
command('YinLogClose', function()
  require('yin.log').close()
end, { desc = 'yin: close the REPL log' })
command('YinEvalShow', function()
  eval().show_float()
end, { desc = 'yin: the result under the cursor in a float' })
command('YinClear', function()
  eval().clear()
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
