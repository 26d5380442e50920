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

t.test("the default keys are Conjure's, under <localleader>", function()
  t.open('program.yin')
  for lhs, command in pairs({
    ee = 'YinEvalForm',
    er = 'YinEvalRoot',
    eu = 'YinEvalToCursor',
    ef = 'YinEvalFile',
    eb = 'YinEvalFile',
    ec = 'YinEvalComment',
    ecr = 'YinEvalRootComment',
    ['e!'] = 'YinEvalReplace',
    ei = 'YinInterrupt',
    vi = 'YinInspect',
    ls = 'YinLog',
    lv = 'vertical YinLog',
    lq = 'YinLogClose',
    dd = 'YinDebug',
  }) do
    t.eq(vim.fn.maparg('<localleader>' .. lhs, 'n'), '<Cmd>' .. command .. '<CR>', lhs)
  end
  t.eq(vim.fn.maparg('<localleader>E', 'x'), ':YinEval<CR>', 'visual E')
end)

t.test('settings: eval limits are checked with their ranges', function()
  require('yin').setup({
    eval = { max_steps = 0, timeout_ms = 1.5, memory_mb = 8, max_depth = 101, inspector = 'tab' },
  })
  local cfg, errors = config.get()
  t.eq(errors, {
    'eval.inspector: expected "float" or "split", got tab',
    'eval.max_depth: expected an integer from 1 to 100, got 101',
    'eval.max_steps: expected an integer from 1 to 10000000000, got 0',
    'eval.memory_mb: expected an integer from 16 to 4096, got 8',
    'eval.timeout_ms: expected an integer from 1 to 600000, got 1.5',
  }, 'errors')
  t.eq(cfg.eval.max_steps, 10000000, 'the defaults are used')
  require('yin').setup({ eval = { timeout_ms = 500, inline_max_length = 30 } })
  cfg, errors = config.get()
  t.eq(errors, {}, 'errors')
  t.eq(
    { cfg.eval.timeout_ms, cfg.eval.inline_max_length, cfg.eval.memory_mb },
    { 500, 30, 256 },
    'merged'
  )
  t.eq(
    { require('yin.eval').request_settings() },
    { { steps = 10000000, timeMs = 500, memoryMb = 256 }, { maxLength = 10000, maxDepth = 10 } },
    'limits and print sent'
  )
  require('yin').setup(nil)
end)

t.test('the old keymap scheme (prefix .. key) keeps its keys, with a message', function()
  vim.g.yin = { keymaps = { prefix = '<leader>y' } }
  require('yin').setup({ keymaps = { eval = 'v', show = false } })
  t.messages = {}
  vim.fn.writefile({ '(+ 1 2)' }, vim.fs.joinpath(t.root, 'old1.yin'))
  t.open('old1.yin')
  t.eq(
    vim.fn.maparg('<leader>yv', 'n'),
    '<Cmd>YinEval<CR>',
    '<leader>yv evaluates the top-level form'
  )
  t.eq(vim.fn.maparg('<leader>yd', 'n'), '<Cmd>YinDebug<CR>', '<leader>yd debugs')
  t.eq(vim.fn.maparg('<leader>ya', 'n'), '<Cmd>YinEvalFile<CR>', '<leader>ya loads the file')
  t.eq(vim.fn.maparg('<localleader>ee', 'n'), '<Cmd>YinEvalForm<CR>', 'the new keys are added')
  t.eq(vim.fn.maparg('<localleader>dd', 'n'), '', 'the old actions are not mapped twice')
  local message = t.wait('the message', function()
    for _, m in ipairs(t.messages) do
      if m.msg:find('old keymap scheme') then
        return m.msg
      end
    end
  end)
  t.truthy(message:find('old keymap scheme: your keys still work', 1, true), message)
  t.truthy(message:find(':help yin-keymaps-migration', 1, true), message)
end)

t.test('the old scheme with its default prefix: the new keys never shadow an old one', function()
  vim.g.yin = nil
  require('yin').setup({ keymaps = { eval_top = 'a' } })
  vim.fn.writefile({ '(+ 1 2)' }, vim.fs.joinpath(t.root, 'old2.yin'))
  t.open('old2.yin')
  t.eq(vim.fn.maparg('<localleader>ee', 'n'), '<Cmd>YinEval<CR>', 'ee as before')
  t.eq(vim.fn.maparg('<localleader>ec', 'n'), '<Cmd>YinContinue<CR>', 'ec as before')
  t.eq(vim.fn.maparg('<localleader>ecr', 'n'), '', 'no key that makes ec wait')
  t.eq(vim.fn.maparg('<localleader>er', 'n'), '<Cmd>YinEvalRoot<CR>', 'a free new key')
end)

t.test('keymaps = false maps nothing', function()
  require('yin').setup({ keymaps = false })
  vim.cmd.edit(vim.fs.joinpath(t.root, 'second.yin'))
  t.eq(vim.fn.maparg('<leader>yd', 'n'), '', 'no mapping')
  t.eq(vim.fn.maparg('<localleader>ee', 'n'), '', 'no default mapping')
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
