--- `:checkhealth yin`: Neovim's version, the configuration, the `yin` binary and its version,
--- the tree-sitter parser and queries, running clients.
local M = {}

function M.check()
  local health = vim.health
  health.start('yin: Neovim')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error(
      'Neovim ' .. tostring(vim.version()) .. ' is too old',
      'yin needs Neovim 0.11 or newer'
    )
  end

  health.start('yin: configuration')
  local config, errors = require('yin.config').get()
  if #errors == 0 then
    health.ok('valid (vim.g.yin and setup())')
  else
    health.error(
      'invalid, the defaults are used instead:\n' .. table.concat(errors, '\n'),
      'see :help yin-configuration'
    )
  end

  health.start('yin: language server')
  local exe = config.cmd[1]
  local path = vim.fn.exepath(exe)
  if path == '' then
    health.error(('`%s` not found'):format(exe), {
      'install yin (scripts/setup in its repository puts it in ~/.cargo/bin)',
      'or set vim.g.yin = { cmd = { "/path/to/yin", "lsp" } }',
    })
  else
    local ok, result = pcall(function()
      return vim.system({ path, '--version' }, { text = true }):wait(5000)
    end)
    if ok and result.code == 0 then
      health.ok(('%s: %s'):format(path, vim.trim(result.stdout)))
    else
      health.warn(
        ('%s found, but `--version` failed: %s'):format(
          path,
          ok and vim.trim(result.stderr or '') or result
        )
      )
    end
  end
  local clients = vim.lsp.get_clients({ name = 'yin' })
  if #clients > 0 then
    for _, client in ipairs(clients) do
      health.info(
        ('client %d running, root %s, position encoding %s'):format(
          client.id,
          client.root_dir or '(none)',
          client.offset_encoding
        )
      )
    end
  else
    health.info('no client running (one starts when a .yin file opens)')
  end

  health.start('yin: tree-sitter')
  if require('yin').load_parser(config) then
    local files = config.parser_path and { config.parser_path }
      or vim.api.nvim_get_runtime_file('parser/yin.so', true)
    health.ok('parser installed: ' .. table.concat(files, ', '))
    local ok, query = pcall(vim.treesitter.query.get, 'yin', 'highlights')
    if ok and query then
      health.ok('highlight queries found')
    else
      health.error(
        'the highlight queries do not load: ' .. tostring(query),
        'is the plugin folder (with queries/yin) on the runtimepath?'
      )
    end
  else
    health.warn(
      'parser not installed: highlighting comes from the language server (semantic tokens) only',
      'build it: see :help yin-parser'
    )
  end
end

return M
