-- Shared by the headless Neovim tests: reporting, the environment, loading editors/nvim as a user would, and
-- waiting for the faultline client and its diagnostics. Loaded with dofile() from a test run by
--   nvim --headless --clean -u NONE -n -i NONE FIXTURE.py -c 'luafile TEST.lua'
local S = {}

function S.log(message)
  io.stderr:write('[nvim-test] ' .. message .. '\n')
end

-- Stops the clients (so the servers exit cleanly) and leaves Neovim with the test's verdict as exit status.
function S.finish(ok, message)
  S.log((ok and 'PASS: ' or 'FAIL: ') .. message)
  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop()
  end
  vim.wait(2000, function()
    return #vim.lsp.get_active_clients() == 0
  end, 50)
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

function S.env(name)
  local value = os.getenv(name)
  if value == nil or value == '' then
    S.finish(false, name .. ' is not set')
  end
  return value
end

S.publishes = 0
S.notifications = {}

-- Loads the plugin from the checkout with `opts` for setup(), turns filetype detection on (-u NONE leaves it
-- off; a user's config has it on) and waits for the client to initialize. Returns the fixture's buffer.
function S.start(opts)
  local source_dir = S.env('FAULTLINE_SOURCE_DIR')
  local bufnr = vim.api.nvim_get_current_buf()
  if vim.api.nvim_buf_get_name(bufnr) == '' then
    S.finish(false, 'open the fixture as the file argument')
  end
  -- Counting publishes tells "the server answered my change" from diagnostics that were already there.
  local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
    S.publishes = S.publishes + 1
    return default_publish(err, result, ctx, config)
  end
  vim.notify = function(message, level)
    table.insert(S.notifications, tostring(message))
    S.log('notify(' .. tostring(level) .. '): ' .. tostring(message))
  end

  vim.opt.runtimepath:prepend(source_dir .. '/editors/nvim')
  require('faultline').setup(opts)
  vim.cmd('filetype on')
  vim.cmd('filetype detect')
  if vim.bo[bufnr].filetype ~= 'python' then
    S.finish(false, 'filetype is ' .. vim.bo[bufnr].filetype .. ', not python')
  end
  S.wait_for_client(bufnr)
  return bufnr
end

function S.client(bufnr)
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == 'faultline' and not client.is_stopped() then
      return client
    end
  end
  return nil
end

function S.wait_for_client(bufnr, previous)
  if not vim.wait(10000, function()
    local client = S.client(bufnr)
    return client ~= nil and client.initialized == true and client.id ~= previous
  end, 50) then
    S.finish(false, 'no faultline client attached and initialized within 10 s')
  end
  return S.client(bufnr)
end

-- faultline's diagnostics on the buffer, top to bottom.
function S.diagnostics(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'faultline' then
      table.insert(found, d)
    end
  end
  table.sort(found, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return found
end

function S.codes(bufnr)
  local codes = {}
  for _, d in ipairs(S.diagnostics(bufnr)) do
    table.insert(codes, tostring(d.code))
  end
  return table.concat(codes, ',')
end

function S.describe(d)
  local data = d.user_data and d.user_data.lsp and d.user_data.lsp.data
  local fault = type(data) == 'table' and data.fault or '?'
  return string.format('%d:%d %s [%s] %s', d.lnum + 1, d.col + 1, tostring(d.code), tostring(fault), d.message)
end

-- Waits for a publish after `seen` publishes that satisfies `predicate`.
function S.wait_for_publish(seen, predicate, timeout_ms)
  return vim.wait(timeout_ms or 15000, function()
    return S.publishes > seen and predicate()
  end, 20)
end

return S
