return { greeting = "hello from the locale" }
