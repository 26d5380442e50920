--- The plugin's configuration: defaults, the user's `vim.g.yin` and `require('yin').setup{}`
--- merged and validated here, and nowhere else. Knows nothing of the LSP or of buffers.
local M = {}

---@class yin.Keymaps
---@field leader string every key below is `leader .. key`
---@field prefix string|nil the old scheme's prefix (before Conjure's keys); see `M.legacy_keymaps`
---@field eval string|false|nil the old scheme's `prefix .. eval`: the top-level form
---@field eval_top string|false|nil the old scheme's `prefix .. eval_top`: the whole file

---@class yin.EvalSettings
---@field max_steps integer `limits.steps`
---@field timeout_ms integer `limits.timeMs`
---@field memory_mb integer `limits.memoryMb`
---@field max_length integer `print.maxLength`: values longer are cut by the server
---@field max_depth integer `print.maxDepth`
---@field inline_max_length integer the virtual text's value is cut here, with `…`
---@field log_max_lines integer the log buffer drops its oldest lines past this
---@field log_max_length integer a value longer than this is cut in the log
---@field inspector 'float'|'split'
---@field page_size integer items per inspector page (`yin/inspect` `count`)

---@class yin.Config
---@field cmd string[] the language server's command line
---@field root_markers string[] the workspace root is the nearest folder above holding one of these
---@field treesitter boolean start tree-sitter highlighting when the parser is installed
---@field parser_path string|nil a `yin.so` built outside the runtimepath's `parser/` folders
---@field keymaps yin.Keymaps|false buffer-local keymaps; false for none
---@field debug { split: string, size: integer|nil }
---@field eval yin.EvalSettings

---@type yin.Config
M.defaults = {
  cmd = { 'yin', 'lsp' },
  root_markers = { '.yin', '.git' },
  treesitter = true,
  parser_path = nil,
  -- Conjure's keys (its `<localleader>` mappings) where the action is the same.
  keymaps = {
    leader = '<localleader>',
    eval_form = 'ee',
    eval_root = 'er',
    eval_selection = 'E',
    eval_to_cursor = 'eu',
    eval_file = 'ef',
    eval_buffer = 'eb',
    eval_comment = 'ec',
    eval_root_comment = 'ecr',
    eval_replace = 'e!',
    interrupt = 'ei',
    inspect = 'vi',
    log_split = 'ls',
    log_vsplit = 'lv',
    log_close = 'lq',
    show = 'ev',
    clear = 'ex',
    debug = 'dd',
    step = 'ds',
    back = 'db',
    continue = 'dc',
    stop = 'dq',
    query = 'ey',
  },
  debug = { split = 'vertical', size = nil },
  eval = {
    max_steps = 10000000,
    timeout_ms = 10000,
    memory_mb = 256,
    max_length = 10000,
    max_depth = 10,
    inline_max_length = 60,
    log_max_lines = 10000,
    log_max_length = 1000,
    inspector = 'float',
    page_size = 100,
  },
}

--- The keys of the scheme before Conjure's: `prefix .. key`, one letter each.
M.legacy_defaults = {
  prefix = '<localleader>e',
  eval = 'e',
  eval_top = 'a',
  show = 'v',
  clear = 'x',
  debug = 'd',
  step = 's',
  back = 'b',
  continue = 'c',
  stop = 'q',
  query = 'y',
}

--- Whether `keymaps` uses the old scheme: `prefix`, `eval` and `eval_top` exist only there, so a
--- configuration naming one of them was written for it and keeps its keys (`M.legacy_keys`).
---@param keymaps yin.Keymaps|false
---@return boolean
function M.legacy_keymaps(keymaps)
  return type(keymaps) == 'table'
    and (keymaps.prefix ~= nil or keymaps.eval ~= nil or keymaps.eval_top ~= nil)
end

--- The old scheme's keys of `keymaps` by action, whole (`prefix .. key`), false when unmapped. A
--- key still equal to the new default was not set by the user: the old default applies.
---@param keymaps yin.Keymaps
---@return table<string, string|false>
function M.legacy_keys(keymaps)
  local prefix = keymaps.prefix or M.legacy_defaults.prefix
  local out = {}
  for action, old in pairs(M.legacy_defaults) do
    if action ~= 'prefix' then
      local key = keymaps[action]
      if key == nil or key == M.defaults.keymaps[action] then
        key = old
      end
      out[action] = key and (prefix .. key) or false
    end
  end
  return out
end

---@type table|nil what `setup()` was given
local from_setup = nil

local function is_list_of_strings(v)
  if type(v) ~= 'table' or not vim.islist(v) then
    return false
  end
  for _, s in ipairs(v) do
    if type(s) ~= 'string' then
      return false
    end
  end
  return true
end

local function key_or_false(v)
  return v == false or (type(v) == 'string' and v ~= '')
end

--- Every option's check, by dotted name. Unknown names are errors too: a misspelt option that
--- silently does nothing is worse than a message.
local checks = {
  cmd = {
    function(v)
      return is_list_of_strings(v) and #v > 0
    end,
    'a non-empty list of strings, e.g. { "yin", "lsp" }',
  },
  root_markers = { is_list_of_strings, 'a list of file or folder names' },
  treesitter = { 'boolean' },
  parser_path = { 'string', optional = true },
  keymaps = {
    function(v)
      return v == false or type(v) == 'table'
    end,
    'a table of keys, or false for no keymaps',
  },
  ['keymaps.leader'] = { 'string' },
  ['keymaps.prefix'] = { 'string', optional = true },
  ['keymaps.eval'] = {
    function(v)
      return v == nil or key_or_false(v)
    end,
    'a key (string) or false to leave it unmapped',
  },
  ['keymaps.eval_top'] = {
    function(v)
      return v == nil or key_or_false(v)
    end,
    'a key (string) or false to leave it unmapped',
  },
  debug = { 'table' },
  ['debug.split'] = {
    function(v)
      return v == 'vertical' or v == 'horizontal'
    end,
    '"vertical" or "horizontal"',
  },
  ['debug.size'] = {
    function(v)
      return v == nil or (type(v) == 'number' and v >= 1 and v == math.floor(v))
    end,
    'a positive whole number of columns or lines',
  },
}
--- An integer check from `lo` to `hi`, the message saying so (the server's ranges, docs/lsp.md).
local function integer_in(lo, hi)
  return {
    function(v)
      return type(v) == 'number' and v == math.floor(v) and v >= lo and v <= hi
    end,
    ('an integer from %d to %d'):format(lo, hi),
  }
end
checks.eval = { 'table' }
checks['eval.max_steps'] = integer_in(1, 10000000000)
checks['eval.timeout_ms'] = integer_in(1, 600000)
checks['eval.memory_mb'] = integer_in(16, 4096)
checks['eval.max_length'] = integer_in(16, 1000000)
checks['eval.max_depth'] = integer_in(1, 100)
checks['eval.inline_max_length'] = integer_in(8, 10000)
checks['eval.log_max_lines'] = integer_in(100, 1000000)
checks['eval.log_max_length'] = integer_in(16, 1000000)
checks['eval.page_size'] = integer_in(1, 1000)
checks['eval.inspector'] = {
  function(v)
    return v == 'float' or v == 'split'
  end,
  '"float" or "split"',
}
for action in pairs(M.defaults.keymaps) do
  if action ~= 'leader' then
    checks['keymaps.' .. action] = { key_or_false, 'a key (string) or false to leave it unmapped' }
  end
end

--- Merges `user` over `base`: tables with string keys merge, lists and scalars replace.
local function merge(base, user, path, errors)
  if type(user) ~= 'table' or vim.islist(user) then
    return user
  end
  local out = vim.deepcopy(base)
  for k, v in pairs(user) do
    local name = path and (path .. '.' .. tostring(k)) or tostring(k)
    if checks[name] == nil then
      table.insert(errors, ('%s: unknown option'):format(name))
    elseif type(base) == 'table' and type(base[k]) == 'table' and not vim.islist(base[k]) then
      out[k] = merge(base[k], v, name, errors)
    else
      out[k] = v
    end
  end
  return out
end

local function validate(config, errors)
  local names = vim.tbl_keys(checks)
  table.sort(names)
  for _, name in ipairs(names) do
    local check = checks[name]
    local value = config
    for part in name:gmatch('[^.]+') do
      if type(value) == 'table' then
        value = value[part]
      else
        value = nil
      end
    end
    local parent = name:match('^(.*)%.')
    local skip = parent and config[parent] == false -- keymaps = false: nothing below it
    if not skip then
      local ok, err = pcall(vim.validate, name, value, check[1], check.optional, check[2])
      if not ok then
        table.insert(errors, (tostring(err):gsub('^.-: ', name .. ': ', 1)))
      end
    end
  end
end

--- The configuration in force: defaults, then `vim.g.yin`, then `setup()`'s options.
---@return yin.Config config valid (the defaults when the user's is not)
---@return string[] errors one line per problem; empty when the user's configuration is valid
function M.get()
  local errors = {}
  local config = M.defaults
  for _, layer in ipairs({ { vim.g.yin, 'vim.g.yin' }, { from_setup, 'setup()' } }) do
    local user, origin = layer[1], layer[2]
    if user ~= nil then
      if type(user) ~= 'table' then
        table.insert(errors, ('%s: expected a table, got %s'):format(origin, type(user)))
      else
        config = merge(config, user, nil, errors)
      end
    end
  end
  if #errors == 0 then
    validate(config, errors)
  end
  if #errors > 0 then
    return vim.deepcopy(M.defaults), errors
  end
  return config, errors
end

local reported = {}

--- `get()`, telling the user (once per distinct problem) when their configuration is invalid.
---@return yin.Config
function M.resolve()
  local config, errors = M.get()
  if #errors > 0 then
    local message = 'yin: invalid configuration (using the defaults):\n  '
      .. table.concat(errors, '\n  ')
    if not reported[message] then
      reported[message] = true
      -- Scheduled: an error message inside the FileType autocommand that runs the ftplugin
      -- would abort it (no keymaps, no highlighting).
      vim.schedule(function()
        vim.notify(message, vim.log.levels.ERROR)
      end)
    end
  end
  return config
end

---@param opts table|nil
function M.set(opts)
  from_setup = opts
end

return M
