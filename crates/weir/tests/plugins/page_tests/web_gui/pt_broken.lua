print("<p>this part is not shown</p>")
local cfg = nil
print(cfg.missing_field)
