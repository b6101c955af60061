-- The check_module skeleton of seed 003, with a protocolDetected body that records
-- what it receives (the flow info table) so that tests can see it.
local check_module = {
   key = "a_custom_module_name",

   gui = {
      i18n_title = "My Custom Script",
      i18n_description = "This script performs certain custom operations",
      input_builder = alerts_api.flow_checkbox_input_builder,
   }
}


-- #################################################################

function check_module.setup()
  return true
end

-- #################################################################

function check_module.protocolDetected(info)
  -- info contains the output of Flow::lua()
  io.write(string.format("check_module: %s %s:%d -> %s:%d bytes=%d\n", info["proto.ndpi"],
    info["cli.ip"], info["cli.port"], info["srv.ip"], info["srv.port"], info["bytes"]))
end

-- #################################################################

return check_module
