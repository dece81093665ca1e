from dlexport.cli import main

main()
