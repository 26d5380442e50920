-- :YinEval's virtual text, :YinEvalShow's float, :YinEvalTop over the buffer, :YinClear.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
local eval = require('yin.eval')

local buf = t.open('program.yin')

local function texts()
  return vim.tbl_map(function(v)
    return v.text
  end, eval.virtual_texts(buf))
end

t.test(':YinEval shows the value after the form', function()
  t.cursor_on('(fact 5)')
  vim.cmd('YinEval')
  local shown = t.wait('the virtual text', function()
    local v = eval.virtual_texts(buf)
    return #v > 0 and v
  end)
  local row = t.cursor_on('(fact 5))')
  t.eq(shown, { { row = row, col = #'  (fact 5))', text = '=> 120' } }, 'virtual texts')
end)

t.test(':YinEval again on the same form replaces its result', function()
  t.cursor_on('(let [unused')
  vim.cmd('YinEval')
  vim.wait(300)
  t.eq(texts(), { '=> 120' }, 'virtual texts')
end)

t.test(':YinEvalShow shows the whole value and the output', function()
  t.cursor_on('(def answer')
  vim.cmd('YinEval')
  t.wait('two results', function()
    return #eval.virtual_texts(buf) == 2
  end)
  t.eq(texts(), { '=> 49', '=> 120' }, 'virtual texts')
  vim.cmd('YinEvalShow')
  local float = t.wait('the float', function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= '' then
        return win
      end
    end
  end)
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
  local text = table.concat(lines, '\n')
  t.truthy(text:find('squaring 7', 1, true), 'the output in the float:\n' .. text)
  vim.api.nvim_win_close(float, true)
end)

t.test('an error shows as error virtual text', function()
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '(+ 1 :a)' })
  vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(buf), 0 })
  vim.cmd('YinEval')
  t.wait('the error', function()
    return vim.tbl_contains(texts(), '=> error: +: expected a number, got keyword :a')
  end)
end)

t.test(':YinClear removes every result', function()
  vim.cmd('YinClear')
  t.eq(texts(), {}, 'virtual texts')
end)

t.test(':YinEvalTop evaluates every top-level form', function()
  vim.cmd('YinEvalTop')
  t.wait('six results', function()
    return #eval.virtual_texts(buf) == 6
  end)
  local all = texts()
  t.eq(all[3], '=> #<fn fact>', 'third result')
  t.eq(all[4], '=> 120', 'fourth result')
  t.eq(all[5], '=> "answer: 49"', 'fifth result')
end)

t.test('editing a form drops its result, editing elsewhere keeps the others', function()
  local row = t.cursor_on('(fact 5)')
  vim.api.nvim_buf_set_text(buf, row, #'  (fact ', row, #'  (fact 5', { '6' })
  vim.cmd('doautocmd TextChanged')
  t.eq(#texts(), 5, 'results left after editing the let form')
  t.truthy(
    not vim.tbl_contains(texts(), '=> 120'),
    'the edited form keeps its result: ' .. vim.inspect(texts())
  )
  vim.api.nvim_buf_set_lines(buf, 0, 0, false, { ';; a new first line' })
  vim.cmd('doautocmd TextChanged')
  t.eq(#texts(), 5, 'results left after adding a line above')
end)

t.test('the default keymap <localleader>ee evaluates', function()
  vim.cmd('YinClear')
  t.truthy(vim.fn.maparg('<localleader>ee', 'n') ~= '', 'no <localleader>ee mapping')
  t.cursor_on('(str "answer')
  vim.api.nvim_feedkeys(vim.keycode('<localleader>ee'), 'mx', false)
  t.wait('the value', function()
    return vim.deep_equal(texts(), { '=> "answer: 49"' })
  end)
end)

t.finish()
