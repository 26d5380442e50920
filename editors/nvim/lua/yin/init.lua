--- The yin plugin's entry points: `setup()` (optional), `attach()` (what the ftplugin runs for
--- each yin buffer: language server, tree-sitter highlighting, keymaps) and the commands.
local config = require('yin.config')
local lsp = require('yin.lsp')

local M = {}

--- Optional: the same options as `vim.g.yin`, which they override. Buffers opened before keep
--- their client; keymaps and tree-sitter apply to buffers opened after.
---@param opts table|nil
function M.setup(opts)
  config.set(opts)
  config.resolve()
end

--- Registers the parser from `parser_path`, or finds `parser/yin.so` on the runtimepath.
---@param cfg yin.Config
---@return boolean loaded
function M.load_parser(cfg)
  local ok, loaded =
    pcall(vim.treesitter.language.add, 'yin', cfg.parser_path and { path = cfg.parser_path } or nil)
  return ok and loaded == true
end

local actions = {
  eval = { 'YinEval', 'Evaluate the top-level form at the cursor' },
  eval_top = { 'YinEvalTop', 'Evaluate every top-level form of the buffer' },
  show = { 'YinEvalShow', 'Show the whole result under the cursor' },
  clear = { 'YinClear', 'Clear the evaluation results' },
  debug = { 'YinDebug', 'Debug the top-level form at the cursor' },
  step = { 'YinStep', 'Debugger: step' },
  back = { 'YinBack', 'Debugger: step back' },
  continue = { 'YinContinue', 'Debugger: continue' },
  stop = { 'YinStop', 'Debugger: stop' },
  query = { 'YinQuery', 'Run a Datalog query' },
}

local function set_keymaps(buf, keymaps)
  if not keymaps then
    return
  end
  for action, spec in pairs(actions) do
    local key = keymaps[action]
    if key then
      vim.keymap.set(
        'n',
        keymaps.prefix .. key,
        '<cmd>' .. spec[1] .. '<cr>',
        { buffer = buf, desc = 'yin: ' .. spec[2] }
      )
    end
  end
end

--- Sets up a yin buffer: starts (or joins) the language server, tree-sitter highlighting when
--- the parser is installed, keymaps.
---@param buf integer
function M.attach(buf)
  local cfg = config.resolve()
  lsp.start(buf, cfg)
  if cfg.treesitter and M.load_parser(cfg) then
    pcall(vim.treesitter.start, buf, 'yin')
  end
  set_keymaps(buf, cfg.keymaps)
end

--- `:YinServerText`: the server's copy of the buffer in a scratch buffer, and whether it equals
--- the buffer's text.
---@param on_done? fun(text: string, same: boolean, buf: integer)
function M.server_text(on_done)
  local buf = vim.api.nvim_get_current_buf()
  local client = lsp.require_client(buf)
  if not client then
    return
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf) }
  lsp.request(client, 'yin/viewFileText', params, buf, function(text)
    -- The text as Neovim sends it (`vim.lsp` joins lines with the file's line ending).
    local ending = vim.bo[buf].fileformat == 'dos' and '\r\n' or '\n'
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local mine = table.concat(lines, ending) .. (vim.bo[buf].eol and ending or '')
    local same = text == mine
    local out = vim.api.nvim_create_buf(false, true)
    vim.bo[out].bufhidden = 'wipe'
    local shown = text:gsub('\r?\n$', '')
    vim.api.nvim_buf_set_lines(out, 0, -1, false, vim.split(shown, '\r?\n'))
    vim.bo[out].modifiable = false
    vim.cmd('vsplit')
    vim.api.nvim_win_set_buf(0, out)
    vim.notify(
      same and 'yin: the server’s text equals the buffer'
        or 'yin: the server’s text DIFFERS from the buffer',
      same and vim.log.levels.INFO or vim.log.levels.WARN
    )
    if on_done then
      on_done(text, same, out)
    end
  end)
end

return M
