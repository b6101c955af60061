-- Writes one line per local network and minute: "n <cidr> <when> <SYN flood victim hits>".
local script = {
  hooks = {},
  gui = { i18n_title = "Every network", i18n_description = "One line per network visit" },
}

function script.hooks.min(params)
  local st = network.getNetworkStats()
  io.write("n ", network.getNetworkKey(), " ", params.when, " ", st["hits.syn_flood_victim"] or 0, "\n")
end

return script
