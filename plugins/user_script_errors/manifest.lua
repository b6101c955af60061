return {
   title = "User script errors",
   description = "Summarises failing and disabled user scripts in one alert that stays engaged while scripts keep failing",
   author = "weir",
}
