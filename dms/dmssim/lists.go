package dmssim

// list is the SDK's XML-style list wrapper: the SDK reads a list as an
// object that names its item ("DatabaseList": {"Database": [...]}), one
// such object for every list in every answer.
type list[T any] map[string][]T

// listOf is items wrapped as the SDK reads a list of item: [] when there
// are none, never null.
func listOf[T any](item string, items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{item: items}
}

// pageOf is a paged list's answer: the TotalCount of the whole list and the
// page, as a list named listName of item.
func pageOf[T any](total int, listName, item string, page []T) map[string]any {
	return map[string]any{"TotalCount": int64(total), listName: listOf(item, page)}
}
