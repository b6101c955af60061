return {
   title = "Ghost networks",
   description = "Finds hosts with private or link-local addresses outside every configured local network: subnets nobody declared (a rogue router, a misconfigured device)",
   author = "weir",
}
