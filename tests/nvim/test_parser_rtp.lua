-- A parser at parser/yin.so on the runtimepath (where the README builds it) is found without
-- any configuration.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')

local dir = vim.fn.tempname()
vim.fn.mkdir(dir .. '/parser', 'p')
vim.uv.fs_copyfile(vim.env.YIN_TEST_PARSER, dir .. '/parser/yin.so')
vim.opt.rtp:append(dir)

t.test('the parser is found on the runtimepath and highlights', function()
  local buf = t.open('program.yin')
  t.truthy(vim.treesitter.highlighter.active[buf], 'no highlighter on the buffer')
  vim.treesitter.get_parser(buf):parse()
  local row, col = t.cursor_on('defn square')
  local captures = vim.tbl_map(function(c)
    return c.capture
  end, vim.treesitter.get_captures_at_pos(buf, row, col))
  t.truthy(vim.tbl_contains(captures, 'keyword'), 'defn: ' .. vim.inspect(captures))
end)

t.finish()
