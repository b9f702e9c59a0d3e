from ghtraffic.cli import main

main()
