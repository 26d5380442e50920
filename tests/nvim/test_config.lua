-- Configuration: keymaps overridden and disabled through vim.g.yin or setup(), invalid options
-- reported in one message, a missing binary reported without an error thrown.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
local config = require('yin.config')

t.test('no configuration is valid', function()
  local _, errors = config.get()
  t.eq(errors, {}, 'errors')
end)

t.test('invalid options are listed together, unknown ones too', function()
  vim.g.yin = { cmd = 'yin lsp', keymaps = { eval = 3 }, debugg = {} }
  local cfg, errors = config.get()
  t.eq(errors, { 'debugg: unknown option' }, 'unknown keys first')
  vim.g.yin = { cmd = 'yin lsp', keymaps = { eval = 3 }, debug = { split = 'diagonal' } }
  cfg, errors = config.get()
  t.eq(errors, {
    'cmd: expected a non-empty list of strings, e.g. { "yin", "lsp" }, got yin lsp',
    'debug.split: expected "vertical" or "horizontal", got diagonal',
    'keymaps.eval: expected a key (string) or false to leave it unmapped, got 3',
  }, 'errors')
  t.eq(cfg.cmd, { 'yin', 'lsp' }, 'the defaults are used')
  config.resolve()
  t.wait('the message', function()
    return #t.messages > 0
  end)
  t.truthy(
    t.messages[1].msg:find('^yin: invalid configuration'),
    'message: ' .. vim.inspect(t.messages)
  )
  t.eq(t.messages[1].level, vim.log.levels.ERROR, 'level')
  vim.g.yin = nil
end)

t.test('setup() overrides vim.g.yin; keymaps change and disable', function()
  vim.g.yin = { keymaps = { prefix = '<leader>y' } }
  require('yin').setup({ keymaps = { eval = 'v', show = false } })
  t.open('program.yin')
  t.truthy(vim.fn.maparg('<leader>yv', 'n'):find('YinEval'), '<leader>yv evaluates')
  t.eq(vim.fn.maparg('<leader>yd', 'n'), '<Cmd>YinDebug<CR>', '<leader>yd debugs')
  t.eq(vim.fn.maparg('<localleader>ee', 'n'), '', 'the default prefix is unused')
end)

t.test('keymaps = false maps nothing', function()
  require('yin').setup({ keymaps = false })
  vim.cmd.edit(vim.fs.joinpath(t.root, 'second.yin'))
  t.eq(vim.fn.maparg('<leader>yd', 'n'), '', 'no mapping')
  t.eq(vim.fn.maparg('<localleader>ed', 'n'), '', 'no default mapping')
end)

t.test('a missing binary is one clear message, and the buffer still opens', function()
  require('yin').setup({ cmd = { 'yin-not-installed', 'lsp' } })
  local path = vim.fs.joinpath(t.root, 'third.yin')
  vim.fn.writefile({ '(+ 1 2)' }, path)
  vim.cmd.edit(path)
  t.eq(vim.bo.filetype, 'yin', 'filetype')
  t.wait('the message', function()
    return #t.messages > 0
  end)
  vim.wait(100)
  t.eq(#t.messages, 1, 'messages: ' .. vim.inspect(t.messages))
  t.truthy(
    t.messages[1].msg:find('`yin-not-installed` is not an executable', 1, true),
    'message: ' .. t.messages[1].msg
  )
  t.eq(#vim.lsp.get_clients({ bufnr = 0 }), 0, 'clients on the buffer')
end)

t.test('the highlight groups survive a colour scheme change', function()
  vim.cmd.colorscheme('habamax')
  t.eq(vim.api.nvim_get_hl(0, { name = 'YinDebugControl' }).link, 'IncSearch', 'YinDebugControl')
  t.eq(vim.api.nvim_get_hl(0, { name = 'YinEvalValue' }).link, 'Comment', 'YinEvalValue')
end)

t.finish()
