-- Neovim 0.11+ reads lsp/<name>.lua from the runtimepath: with editors/nvim on the runtimepath,
-- `vim.lsp.enable('faultline')` works without calling require('faultline').setup().
return require('faultline.server').config()
