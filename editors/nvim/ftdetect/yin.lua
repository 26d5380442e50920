-- `.yin` files are yin source.
vim.filetype.add({ extension = { yin = 'yin' } })
