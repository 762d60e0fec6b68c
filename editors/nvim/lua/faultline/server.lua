-- The faultline server definition in the shape nvim-lspconfig and vim.lsp.config use: cmd, filetypes,
-- root markers, settings. Everything else in this module is built from it.
local root = require('faultline.root')

local M = {}

M.name = 'faultline'
M.cmd = { 'faultline', 'lsp' }
M.filetypes = { 'python' }
M.root_markers = { 'pyproject.toml', 'setup.py', 'requirements.txt', '.git' }

-- The server's options, the same object in initializationOptions and in didChangeConfiguration.
-- Defaults match the server's and the VS Code extension's.
M.default_settings = {
  probe = { enabled = true, budgetSeconds = 3, memoryLimitMB = 1024 },
  checks = { disabled = {} },
  logLevel = 'info',
}

local is_list = vim.islist or vim.tbl_islist

-- Merges `override` into `base`: maps key by key, lists (checks.disabled) replaced whole, since
-- vim.tbl_deep_extend would merge two lists index by index.
function M.merge_settings(base, override)
  local merged = vim.deepcopy(base)
  for key, value in pairs(override or {}) do
    local current = merged[key]
    if type(value) == 'table' and type(current) == 'table' and next(current) ~= nil and not is_list(current) then
      merged[key] = M.merge_settings(merged[key], value)
    else
      merged[key] = vim.deepcopy(value)
    end
  end
  return merged
end

-- The defaults completed by the user's settings. An empty checks.disabled travels as [] (vim.json encodes an
-- empty table as a list), which is what the server expects.
function M.normalize_settings(settings)
  return M.merge_settings(M.default_settings, settings)
end

-- Answers the server's workspace/configuration requests with the same options object, whether it asks for
-- the 'faultline' section or for no section. Neovim's default handler would look up settings.faultline and
-- answer null.
local function configuration_handler(_, params, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local settings = client and client.config.settings or {}
  local result = {}
  for i, item in ipairs(params.items or {}) do
    if item.section == nil or item.section == M.name then
      result[i] = settings
    else
      result[i] = vim.NIL
    end
  end
  return result
end

-- A complete client config. `opts` may override cmd, filetypes, root_markers, settings, and pass through
-- on_attach, capabilities, handlers and anything else vim.lsp accepts.
function M.config(opts)
  opts = opts or {}
  local config = vim.tbl_extend('force', {
    name = M.name,
    cmd = M.cmd,
    filetypes = M.filetypes,
    root_markers = M.root_markers,
  }, opts)
  config.settings = M.normalize_settings(opts.settings)
  config.init_options = config.settings
  config.handlers = vim.tbl_extend('keep', opts.handlers or {}, {
    ['workspace/configuration'] = configuration_handler,
  })
  return config
end

-- For nvim-lspconfig's `configs` table (its format before Neovim 0.11):
--   require('lspconfig.configs').faultline = require('faultline.server').lspconfig()
--   require('lspconfig').faultline.setup({})
function M.lspconfig(opts)
  local config = M.config(opts)
  local markers = config.root_markers
  config.root_markers = nil
  config.name = nil
  config.root_dir = function(fname)
    return root.find(fname, markers)
  end
  return {
    default_config = config,
    docs = {
      description = 'faultline: finds the faulty statements in Python deep-learning training scripts '
        .. '(Keras, tf.keras, PyTorch, TF1) without running them.',
    },
  }
end

return M
