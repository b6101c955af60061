return {
   title = "User script errors",
   description = "One alert while more user script calls than this failed in a minute, or while a script is disabled after failing too often",
}
