-- ids_utils: ntopng 4.2 Enterprise M's IDS scores. weir is not Enterprise
-- (ntop.isEnterpriseM() is false), so plugins do not require it; when one does, the
-- scores are those of an event with no severity: 0.
local W = ...
local M = {}

--- `flow, cli, srv` scores of an IDS event: 0, 0, 0.
function M.computeScore(params) return 0, 0, 0 end

return M
