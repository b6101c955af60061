-- plugins_utils (ntopng 4.2) for every plugin file: modules of loaded plugins, data
-- directories, whether timeseries are written. Custom pages add getUrl and more
-- (page_utils.lua). The plugin registry is Rust's (crates/weir-script/src/plugin_dirs.rs).
local W = ...
local M = {}
local envs = {}

--- `modules/<name>.lua` of a loaded plugin, run
--- once per VM with that plugin's `require`; nil when the plugin or module is unknown.
function M.loadModule(plugin, name)
  if type(plugin) ~= "string" or type(name) ~= "string" then return nil end
  if not W.plugin_has_module(plugin, name) then return nil end
  local env = envs[plugin]
  if env == nil then
    env = W.plugin_env(plugin) or false
    envs[plugin] = env
  end
  if not env then return nil end
  return env.require(name)
end

--- `<working dir>/plugins_data/<plugin>[/<subdir>]`, created, holding a copy of the
--- plugin's own `<subdir>/` files (manifest `data_dirs`); nil for a bad name.
function M.getPluginDataDir(plugin, subdir)
  if type(plugin) ~= "string" then return nil end
  if subdir ~= nil and type(subdir) ~= "string" then return nil end
  return W.plugin_data_dir(plugin, subdir)
end

--- The URL of a plugin page: `<http prefix>/plugins/<page>`.
function M.getUrl(page)
  return ntop.getHttpPrefix() .. "/plugins/" .. tostring(page or "")
end

--- Whether timeseries are written (weir runs with a timeseries store).
function M.timeseriesCreationEnabled()
  local ts = W.modules.ts_utils
  return ts ~= nil and ts.getDriverName ~= nil and ts.getDriverName() ~= "none"
end

return M
