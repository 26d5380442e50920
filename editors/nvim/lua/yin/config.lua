--- The plugin's configuration: defaults, the user's `vim.g.yin` and `require('yin').setup{}`
--- merged and validated here, and nowhere else. Knows nothing of the LSP or of buffers.
local M = {}

---@class yin.Keymaps
---@field prefix string
---@field eval string|false
---@field eval_top string|false
---@field show string|false
---@field clear string|false
---@field debug string|false
---@field step string|false
---@field back string|false
---@field continue string|false
---@field stop string|false
---@field query string|false

---@class yin.Config
---@field cmd string[] the language server's command line
---@field root_markers string[] the workspace root is the nearest folder above holding one of these
---@field treesitter boolean start tree-sitter highlighting when the parser is installed
---@field parser_path string|nil a `yin.so` built outside the runtimepath's `parser/` folders
---@field keymaps yin.Keymaps|false buffer-local keymaps; false for none
---@field debug { split: string, size: integer|nil }

---@type yin.Config
M.defaults = {
  cmd = { 'yin', 'lsp' },
  root_markers = { '.yin', '.git' },
  treesitter = true,
  parser_path = nil,
  keymaps = {
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
  },
  debug = { split = 'vertical', size = nil },
}

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
  ['keymaps.prefix'] = { 'string' },
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
for action in pairs(M.defaults.keymaps) do
  if action ~= 'prefix' then
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
