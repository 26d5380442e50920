-- The parser registered from parser_path highlights with the plugin's queries (the grammar's).
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
vim.g.yin = { parser_path = vim.env.YIN_TEST_PARSER }

local buf = t.open('program.yin')

local function captures_at(text, offset)
  local row, col = t.cursor_on(text)
  local captures = vim.tbl_map(function(c)
    return c.capture
  end, vim.treesitter.get_captures_at_pos(buf, row, col + (offset or 0)))
  return captures, vim.inspect(captures)
end

t.test('the tree-sitter highlighter is active', function()
  t.truthy(vim.treesitter.highlighter.active[buf], 'no highlighter on the buffer')
  t.eq(vim.treesitter.get_parser(buf):lang(), 'yin', 'parser language')
end)

t.test('captures come from the highlights query', function()
  -- Headless Neovim never redraws, so the highlighter's tree is parsed here.
  vim.treesitter.get_parser(buf):parse()
  for _, case in ipairs({
    { 'defn square', 'keyword' },
    { 'square [x]', 'function' },
    { 'println', 'function.builtin' },
    { '"squaring"', 'string' },
    { '; The file', 'comment' },
  }) do
    local captures, shown = captures_at(case[1])
    t.truthy(
      vim.tbl_contains(captures, case[2]),
      ('%s: expected @%s among %s'):format(case[1], case[2], shown)
    )
  end
end)

t.test('folds come from the folds query', function()
  vim.wo.foldmethod = 'expr'
  vim.wo.foldexpr = 'v:lua.vim.treesitter.foldexpr()'
  local row = t.cursor_on('(defn fact')
  t.eq(vim.fn.foldlevel(row + 1), 1, 'fold level on defn fact')
  t.eq(vim.fn.foldlevel(row + 2), 2, 'fold level on its if')
end)

t.test('#match? works in Neovim: %1 is a parameter', function()
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '(map #(inc %1) [1 2])' })
  vim.treesitter.get_parser(buf):parse()
  local captures, shown = captures_at('%1')
  t.truthy(
    vim.tbl_contains(captures, 'variable.parameter'),
    '%1: expected @variable.parameter among ' .. shown
  )
end)

t.test('every query parses, and runs over every example without error', function()
  for _, kind in ipairs({ 'highlights', 'locals', 'folds', 'indents', 'textobjects' }) do
    t.truthy(vim.treesitter.query.get('yin', kind), 'no ' .. kind .. ' query')
  end
  local examples = vim.fn.glob(vim.env.YIN_TEST_DIR .. '/../../examples/*.yin', false, true)
  t.truthy(#examples > 10, 'examples found: ' .. #examples)
  for _, file in ipairs(examples) do
    local text = table.concat(vim.fn.readfile(file), '\n')
    local root = vim.treesitter.get_string_parser(text, 'yin'):parse()[1]:root()
    for _, kind in ipairs({ 'highlights', 'locals', 'folds', 'indents' }) do
      local query = vim.treesitter.query.get('yin', kind)
      local ok, err = pcall(function()
        for _ in query:iter_matches(root, text) do
        end
      end)
      t.truthy(ok, ('%s on %s: %s'):format(kind, file, tostring(err)))
    end
  end
end)

t.finish()
