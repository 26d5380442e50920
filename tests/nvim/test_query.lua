-- :YinQuery from its argument and from an .edn buffer; results as a table.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')

t.open('program.yin')

local function results()
  local buf = vim.fn.bufnr('yin://query')
  return buf ~= -1 and vim.api.nvim_buf_get_lines(buf, 0, -1, false) or nil
end

t.test(':YinQuery QUERY shows the rows as a table', function()
  vim.cmd('YinQuery [:find ?name :where [?d :yin/type :def] [?d :yin/name ?name]]')
  local lines = t.wait('the results', function()
    local l = results()
    return l and #l > 0 and l
  end)
  t.eq(lines, {
    '?name',
    '──────',
    'answer',
    'fact',
    'square',
    '',
    '3 rows',
  }, 'results')
end)

t.test(':YinQuery in an .edn buffer runs the buffer', function()
  vim.cmd('YinQuery [:find ?x :where [(= ?x 0)]]')
  vim.cmd.edit(vim.fs.joinpath(t.root, 'defs.edn'))
  vim.cmd('YinQuery')
  local lines = t.wait('the new results', function()
    local l = results()
    return l and l[1] == '?name' and l[#l] == '2 rows' and l
  end)
  t.eq({ lines[3], lines[4] }, { 'fact', 'square' }, 'rows')
end)

t.test('a query error is reported, not thrown', function()
  local messages = {}
  local notify = vim.notify
  vim.notify = function(msg)
    table.insert(messages, msg)
  end
  vim.cmd('YinQuery [:find ?x :where')
  t.wait('the error message', function()
    return #messages > 0
  end)
  vim.notify = notify
  t.truthy(messages[1]:find('yin/query failed', 1, true), 'message: ' .. messages[1])
end)

t.test('values print as EDN', function()
  local edn = require('yin.query').edn
  t.eq(edn({ symbol = 'x' }), 'x', 'symbol')
  t.eq(edn({ keyword = 'a/b' }), ':a/b', 'keyword')
  t.eq(edn({ 1, 'two', vim.NIL }), '[1 "two" nil]', 'vector')
  t.eq(edn({ list = { { symbol = 'f' }, 1 } }), '(f 1)', 'list')
  t.eq(edn({ map = { { { keyword = 'k' }, { set = { 2 } } } } }), '{:k #{2}}', 'map')
  t.eq(edn({ tag = 'yin/ratio', value = { 5, 2 } }), '#yin/ratio [5 2]', 'tagged')
end)

t.finish()
