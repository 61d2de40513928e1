module reach

go 1.26.8
