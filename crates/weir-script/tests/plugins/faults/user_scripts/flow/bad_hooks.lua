-- Validation: unknown hook name and a bad default_value string.
return {
   hooks = { protocolDetected = function(now) end, onMoonRise = function() end },
   gui = { i18n_title = "Bad hooks", i18n_description = "x" },
   default_value = "threshold;ge;abc",
}
