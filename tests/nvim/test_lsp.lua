-- The client starts from the ftplugin with no setup(), finds the workspace root, receives a lint
-- finding, and its copy of the text follows edits.
local t = dofile(vim.env.YIN_TEST_DIR .. '/helpers.lua')
-- No parser_path, and no parser/yin.so on the runtimepath: the plugin works without tree-sitter.

local buf, client

t.test('a .yin file gets filetype yin and Lisp options', function()
  buf, client = t.open('program.yin')
  t.eq(vim.bo[buf].filetype, 'yin', 'filetype')
  t.eq(vim.bo[buf].commentstring, ';; %s', 'commentstring')
  t.eq(vim.bo[buf].lisp, true, 'lisp')
end)

t.test('the client attaches with the workspace root holding .yin/', function()
  t.eq(client.name, 'yin', 'client name')
  t.eq(client.root_dir, t.root, 'root_dir')
  t.eq(client.offset_encoding, 'utf-8', 'negotiated position encoding')
end)

t.test('without the parser, highlighting comes from semantic tokens', function()
  t.eq(vim.treesitter.highlighter.active[buf], nil, 'tree-sitter highlighter')
  local row, col = t.cursor_on('defn square')
  local tokens = t.wait('semantic tokens', function()
    local at = vim.lsp.semantic_tokens.get_at_pos(buf, row, col)
    return at and #at > 0 and at
  end)
  t.eq(tokens[1].type, 'keyword', 'token type of defn')
end)

t.test('diagnostics arrive for the unused binding', function()
  local diagnostics = t.wait('diagnostics', function()
    local d = vim.diagnostic.get(buf)
    return #d > 0 and d
  end)
  local found = vim.tbl_filter(function(d)
    return d.code == 'unused-binding'
  end, diagnostics)
  t.eq(#found, 1, 'unused-binding findings in ' .. vim.inspect(diagnostics))
  local row, col = t.cursor_on('unused 1')
  t.eq(
    { found[1].lnum, found[1].col, found[1].source },
    { row, col, 'yin' },
    'finding position and source'
  )
end)

t.test('a second .yin file shares the client', function()
  vim.cmd.edit(vim.fs.joinpath(t.root, 'second.yin'))
  local other = vim.api.nvim_get_current_buf()
  local shared = t.wait('the client on second.yin', function()
    return vim.lsp.get_clients({ bufnr = other, name = 'yin' })[1]
  end)
  t.eq(shared.id, client.id, 'client id')
  vim.cmd.buffer(buf)
end)

t.test(':YinServerText shows the server text, equal to the buffer after edits', function()
  vim.api.nvim_buf_set_lines(buf, 0, 0, false, { '(def édité "ü")', '' })
  vim.api.nvim_buf_set_text(buf, 2, 0, 2, 1, { ';;' })
  local result
  require('yin').server_text(function(text, same, out)
    result = { text = text, same = same, out = out }
  end)
  t.wait(':YinServerText', function()
    return result
  end)
  t.eq(result.same, true, 'server text equals the buffer')
  t.eq(
    vim.api.nvim_buf_get_lines(result.out, 0, 1, false)[1],
    '(def édité "ü")',
    'first line of the scratch buffer'
  )
  vim.cmd('close')
end)

t.test('the diagnostics follow the edit', function()
  local row = t.cursor_on('unused 1')
  t.wait('the finding to move to line ' .. row, function()
    local d = vim.tbl_filter(function(x)
      return x.code == 'unused-binding'
    end, vim.diagnostic.get(buf))
    return #d == 1 and d[1].lnum == row
  end)
end)

t.finish()
