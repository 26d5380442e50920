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

--- Each keymap action: its mode, its command, what it does.
local actions = {
  eval_form = { 'n', 'YinEvalForm', 'Evaluate the innermost form at the cursor' },
  eval_root = { 'n', 'YinEvalRoot', 'Evaluate the top-level form at the cursor' },
  eval_selection = { 'x', 'YinEval', 'Evaluate the selection' },
  eval_to_cursor = { 'n', 'YinEvalToCursor', 'Evaluate from the start of the file to the cursor' },
  eval_file = { 'n', 'YinEvalFile', 'Evaluate (load) the file' },
  eval_buffer = { 'n', 'YinEvalFile', 'Evaluate (load) the file' },
  eval_comment = { 'n', 'YinEvalComment', 'Evaluate the form to a ;; => comment' },
  eval_root_comment = { 'n', 'YinEvalRootComment', 'Evaluate the top-level form to a comment' },
  eval_replace = { 'n', 'YinEvalReplace', 'Replace the form with its value' },
  interrupt = { 'n', 'YinInterrupt', 'Interrupt the evaluation' },
  inspect = { 'n', 'YinInspect', 'Inspect the result' },
  log_split = { 'n', 'YinLog', 'The REPL log in a split' },
  log_vsplit = { 'n', 'vertical YinLog', 'The REPL log in a vertical split' },
  log_close = { 'n', 'YinLogClose', 'Close the REPL log' },
  show = { 'n', 'YinEvalShow', 'Show the result under the cursor' },
  clear = { 'n', 'YinClear', 'Clear the evaluation results' },
  debug = { 'n', 'YinDebug', 'Debug the top-level form at the cursor' },
  step = { 'n', 'YinStep', 'Debugger: step' },
  back = { 'n', 'YinBack', 'Debugger: step back' },
  continue = { 'n', 'YinContinue', 'Debugger: continue' },
  stop = { 'n', 'YinStop', 'Debugger: stop' },
  query = { 'n', 'YinQuery', 'Run a Datalog query' },
  -- The old scheme's only (config.legacy_keys).
  eval = { 'n', 'YinEval', 'Evaluate the top-level form at the cursor' },
  eval_top = { 'n', 'YinEvalFile', 'Evaluate (load) the file' },
}

local legacy_warned = false

--- Whether `lhs` is one of the old scheme's keys `maps`, or one is the start of the other (the shorter would wait
--- for 'timeoutlen' before it runs).
local function clashes(maps, lhs)
  -- Both are written with the same `<localleader>`-style names, which compare as text.
  local a = lhs:lower()
  for other in pairs(maps) do
    local b = other:lower()
    if a:sub(1, #b) == b or b:sub(1, #a) == a then
      return true
    end
  end
  return false
end

--- The keymaps as `{lhs = action}` per mode. A configuration of the old scheme keeps its keys
--- (`prefix .. key`); the new actions are added where they do not take one of them.
---@param keymaps yin.Keymaps
---@return table<string, table<string, string>>
function M.keymaps(keymaps)
  local out = { n = {}, x = {} }
  local kept = {}
  if config.legacy_keymaps(keymaps) then
    for action, lhs in pairs(config.legacy_keys(keymaps)) do
      if lhs then
        kept[lhs] = action
        out.n[lhs] = action
      end
    end
  end
  for action, key in pairs(keymaps) do
    local spec = actions[action]
    local legacy = config.legacy_defaults[action] ~= nil and config.legacy_keymaps(keymaps)
    if spec and key and not legacy and action ~= 'eval' and action ~= 'eval_top' then
      local lhs = keymaps.leader .. key
      if spec[1] ~= 'n' or not clashes(kept, lhs) then
        out[spec[1]][lhs] = action
      end
    end
  end
  return out
end

local function set_keymaps(buf, keymaps)
  if not keymaps then
    return
  end
  if config.legacy_keymaps(keymaps) and not legacy_warned then
    legacy_warned = true
    vim.schedule(function()
      vim.notify(
        'yin: keymaps.prefix, keymaps.eval and keymaps.eval_top are the old keymap scheme: your '
          .. "keys still work, and the evaluation keys are now Conjure's under keymaps.leader "
          .. '(<localleader>ee innermost form, er top-level form, ef file, ei interrupt, ...). '
          .. 'To move, drop prefix/eval/eval_top: :help yin-keymaps-migration',
        vim.log.levels.WARN
      )
    end)
  end
  for mode, maps in pairs(M.keymaps(keymaps)) do
    for lhs, action in pairs(maps) do
      local spec = actions[action]
      -- Visual mode: `:` puts `'<,'>` before the command, which makes it a range command.
      local rhs = mode == 'x' and (':' .. spec[2] .. '<cr>') or ('<cmd>' .. spec[2] .. '<cr>')
      vim.keymap.set(mode, lhs, rhs, { buffer = buf, silent = true, desc = 'yin: ' .. spec[3] })
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
