-- The project root of a file: the nearest folder upwards that holds one of the markers. Written against
-- libuv only, because vim.fs (0.8) and vim.fs.root (0.10) are missing from the oldest supported Neovim.
local uv = vim.uv or vim.loop -- vim.uv from 0.10 on, where vim.loop is deprecated

local M = {}

local function parent(dir)
  local up = dir:match('^(.*)/[^/]+/?$')
  if up == nil or up == dir then
    return nil
  end
  return up == '' and '/' or up
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

-- Markers are tried in order at each level, so the nearest folder with any marker wins.
function M.find(path, markers)
  if path == nil or path == '' then
    return uv.cwd()
  end
  -- Forward slashes throughout: Windows accepts them, and the walk upwards then has one separator to split on.
  local absolute = vim.fn.fnamemodify(path, ':p'):gsub('\\', '/')
  local dir = vim.fn.isdirectory(absolute) == 1 and absolute:gsub('/$', '') or vim.fn.fnamemodify(absolute, ':h')
  local start = dir
  while dir ~= nil do
    for _, marker in ipairs(markers) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
    dir = parent(dir)
  end
  -- A lone script outside any project: its own folder, so that one server serves its neighbours.
  return start
end

return M
