-- faultline for Neovim: starts `faultline lsp` for Python buffers with whatever client API the running
-- Neovim has (0.11+: vim.lsp.config/enable, 0.8-0.10: vim.lsp.start, 0.7: vim.lsp.start_client), and adds
-- the :FaultlineRunProbe, :FaultlineShowTrace and :FaultlineRestart commands.
local server = require('faultline.server')
local root = require('faultline.root')

local M = {}

local state = {
  config = nil, -- the resolved client config from setup()
  clients_by_root = {}, -- 0.7 only: vim.lsp.start_client has no reuse of its own
}

local function api_level()
  if type(vim.lsp.config) ~= 'nil' and type(vim.lsp.enable) == 'function' then
    return 'config'
  elseif type(vim.lsp.start) == 'function' then
    return 'start'
  end
  return 'start_client'
end

local function notify(message, level)
  vim.notify('faultline: ' .. message, level or vim.log.levels.INFO)
end

-- Buffers that hold a Python file the server should see: help, terminal and other special buffers are left
-- alone even when their filetype says python.
local function attachable(bufnr)
  return vim.api.nvim_buf_is_loaded(bufnr)
    and vim.bo[bufnr].buftype == ''
    and vim.tbl_contains(state.config.filetypes, vim.bo[bufnr].filetype)
end

local function client_config_for(bufnr)
  local config = vim.deepcopy(state.config)
  config.root_dir = root.find(vim.api.nvim_buf_get_name(bufnr), config.root_markers)
  config.root_markers = nil
  config.filetypes = nil
  return config
end

-- Client methods are closures called with a dot up to 0.10 and methods called with a colon from 0.11 on
-- (where the dot form is deprecated).
local function call(client, method, ...)
  if api_level() == 'config' then
    return client[method](client, ...)
  end
  return client[method](...)
end

local function live_client(id)
  local client = id and vim.lsp.get_client_by_id(id)
  if client and not call(client, 'is_stopped') then
    return client
  end
  return nil
end

local function attach(bufnr)
  if not attachable(bufnr) then
    return
  end
  local level = api_level()
  if level == 'config' then
    -- vim.lsp.enable attaches by itself; this path only runs after :FaultlineRestart.
    local config = vim.tbl_extend('force', vim.lsp.config[server.name], client_config_for(bufnr))
    vim.lsp.start(config, { bufnr = bufnr })
  elseif level == 'start' then
    vim.lsp.start(client_config_for(bufnr), { bufnr = bufnr })
  else
    local config = client_config_for(bufnr)
    local client = live_client(state.clients_by_root[config.root_dir])
    local id = client and client.id or vim.lsp.start_client(config)
    if id == nil then
      notify("could not start '" .. table.concat(config.cmd, ' ') .. "'", vim.log.levels.ERROR)
      return
    end
    state.clients_by_root[config.root_dir] = id
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

local function faultline_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = server.name })
  end
  local found = {}
  local clients = bufnr and vim.lsp.buf_get_clients(bufnr) or vim.lsp.get_active_clients()
  for _, client in pairs(clients) do
    if client.name == server.name then
      table.insert(found, client)
    end
  end
  return found
end

-- The faultline client of the current buffer, or a message saying why there is none.
local function current_client()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = faultline_clients(bufnr)[1]
  if client == nil then
    notify('no faultline server is attached to this buffer', vim.log.levels.WARN)
  end
  return client, bufnr
end

local function execute(command, on_result)
  local client, bufnr = current_client()
  if client == nil then
    return
  end
  local params = { command = command, arguments = { { uri = vim.uri_from_bufnr(bufnr) } } }
  call(client, 'request', 'workspace/executeCommand', params, function(err, result)
    if err then
      notify(command .. ' failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    on_result(result)
  end, bufnr)
end

function M.run_probe()
  -- The server reports the probe with $/progress and answers when the probe has finished and its findings are published.
  execute('faultline.runProbe', function()
    notify('probe finished')
  end)
end

function M.show_trace()
  execute('faultline.showTrace', function(result)
    if result == nil or result == vim.NIL then
      notify('no probe has run on this buffer yet; :FaultlineRunProbe starts one')
      return
    end
    local text = type(result) == 'string' and result or require('faultline.json').pretty(result)
    vim.cmd('new')
    local bufnr = vim.api.nvim_get_current_buf()
    vim.bo[bufnr].buftype = 'nofile'
    vim.bo[bufnr].bufhidden = 'wipe'
    vim.bo[bufnr].swapfile = false
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, vim.split(text, '\n', { plain = true }))
    vim.bo[bufnr].filetype = 'json'
    vim.bo[bufnr].modified = false
  end)
end

function M.restart()
  local clients = faultline_clients(nil)
  for _, client in ipairs(clients) do
    call(client, 'stop')
  end
  vim.wait(3000, function()
    for _, client in ipairs(clients) do
      if not call(client, 'is_stopped') then
        return false
      end
    end
    return true
  end, 50)
  state.clients_by_root = {}
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    attach(bufnr)
  end
end

-- Changes the server's settings while it runs, e.g. configure({ probe = { enabled = false } }): merged
-- into the current ones and sent to every faultline client with workspace/didChangeConfiguration.
function M.configure(settings)
  if state.config == nil then
    notify('call setup() first', vim.log.levels.ERROR)
    return
  end
  state.config.settings = server.merge_settings(state.config.settings, settings)
  state.config.init_options = state.config.settings
  if api_level() == 'config' then
    -- Assignment replaces the stored config; calling vim.lsp.config() would deep-merge it, and a merge keeps
    -- an old disabled list when the new one is empty.
    vim.lsp.config[server.name] = vim.deepcopy(state.config)
  end
  for _, client in ipairs(faultline_clients(nil)) do
    client.config.settings = state.config.settings
    call(client, 'notify', 'workspace/didChangeConfiguration', { settings = state.config.settings })
  end
end

-- Options (all optional):
--   cmd           default { 'faultline', 'lsp' }
--   filetypes     default { 'python' }
--   root_markers  default { 'pyproject.toml', 'setup.py', 'requirements.txt', '.git' }
--   settings      { probe = { enabled, budgetSeconds, memoryLimitMB }, checks = { disabled = {codes} },
--                   logLevel = 'error'|'warning'|'info'|'debug' }
--   on_attach, capabilities, handlers, ...: passed to the client as they are.
function M.setup(opts)
  state.config = server.config(opts)
  if vim.fn.executable(state.config.cmd[1]) ~= 1 then
    notify(
      "'" .. state.config.cmd[1] .. "' is not an executable on PATH; install faultline or pass "
        .. "setup({ cmd = { '/path/to/faultline', 'lsp' } })",
      vim.log.levels.ERROR
    )
  end

  if api_level() == 'config' then
    vim.lsp.config(server.name, state.config)
    vim.lsp.enable(server.name)
  else
    local group = vim.api.nvim_create_augroup('faultline', { clear = true })
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = state.config.filetypes,
      callback = function(args)
        attach(args.buf)
      end,
    })
    -- setup() may run after Python buffers were opened (lazy loading): attach to those as well.
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      attach(bufnr)
    end
  end

  vim.api.nvim_create_user_command('FaultlineRunProbe', M.run_probe, { desc = 'faultline: Run probe' })
  vim.api.nvim_create_user_command('FaultlineShowTrace', M.show_trace, { desc = 'faultline: Show probe trace' })
  vim.api.nvim_create_user_command('FaultlineRestart', M.restart, { desc = 'faultline: Restart server' })
end

return M
