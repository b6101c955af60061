return {
   title = "Long-lived flows",
   description = "Flags flows that stay open longer than configured",
   author = "weir",
   -- No dependency: the status names alert_flow_misbehaviour, which the elephant_flow
   -- plugin defines. With both loaded (the built-in set) the status raises that alert;
   -- loaded alone, it is still set on the flow but raises no alert.
}
